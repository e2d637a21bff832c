#!/usr/bin/env bash
# Operators' kit suite: make install tree and entry points, make demo order.
set -u
cd "$(dirname "$0")/../.." || exit 1
pass=0 fail=0
for t in tests/ops/test-*.sh; do
	if bash "$t"; then pass=$((pass + 1)); else
		echo "FAILED: $t"
		fail=$((fail + 1))
	fi
done
echo "ops: $pass passed, $fail failed"
[ $fail = 0 ]
