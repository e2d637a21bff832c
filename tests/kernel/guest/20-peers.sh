#!/bin/sh
# 1,000 peers x 4 allowed IPs: set and get span many netlink messages.
# ktest-timeout: 90
exec nwg-kernel-test peers 1000 4
