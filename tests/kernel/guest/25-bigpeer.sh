#!/bin/sh
# One peer with 3,000 allowed IPs, then 2,250 others replacing them: one
# peer split across netlink messages, in set and in get.
# ktest-timeout: 60
exec nwg-kernel-test bigpeer 3000
