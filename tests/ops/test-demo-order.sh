#!/usr/bin/env bash
# `make demo` on a fresh machine: the target itself compiles nothing (so it
# needs no -dev package), and demo.sh installs the packages before it builds.
set -u
cd "$(dirname "$0")/../.." || exit 1
fails=0
B=$(mktemp -d)
trap 'rm -rf "$B"' EXIT
plan=$(make --no-print-directory -n demo B="$B" 2>&1)
if [ "$plan" = "scripts/demo.sh up" ]; then echo "ok   make demo runs only demo.sh"; else
	echo "FAIL make demo would first run: $(head -2 <<<"$plan")"
	fails=$((fails + 1))
fi
deps=$(grep -n 'run scripts/install-deps.sh all' scripts/demo.sh | head -1 | cut -d: -f1)
build=$(grep -nE '^[^#]*\bmake\b' scripts/demo.sh | grep -v 'demo-down' | head -1 | cut -d: -f1)
if [ -n "$deps" ] && [ -n "$build" ] && [ "$deps" -lt "$build" ]; then
	echo "ok   demo.sh installs packages (line $deps) before it builds (line $build)"
else
	echo "FAIL demo.sh: install-deps at line [$deps], first make at line [$build]"
	fails=$((fails + 1))
fi
[ $fails = 0 ]
