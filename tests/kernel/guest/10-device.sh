#!/bin/sh
# Device lifecycle through the library's kernel backend (see nwg-kernel-test.c).
# ktest-timeout: 60
exec nwg-kernel-test device
