#!/bin/sh
# Peer diff on live tunnels: remove one, update one, the untouched one keeps
# its session and counters.
# ktest-timeout: 60
exec nwg-kernel-test diff
