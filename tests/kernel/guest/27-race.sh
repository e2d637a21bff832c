#!/bin/sh
# Reads racing with writes: every get is a consistent snapshot or -EINTR.
# ktest-timeout: 60
exec nwg-kernel-test race
