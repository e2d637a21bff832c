# shellcheck shell=bash
# The checks of the suites that print "  ok    NAME" / "  FAIL  NAME":
# check NAME CMD... runs CMD with its output in $LOG and counts PASS/FAILED.
# The caller sets LOG, PASS=0 and FAILED=0.

check() {
	local name=$1
	shift
	echo "== check: $name" >>"$LOG"
	if "$@" >>"$LOG" 2>&1; then
		PASS=$((PASS + 1))
		echo "  ok    $name"
	else
		FAILED=$((FAILED + 1))
		echo "  FAIL  $name"
	fi
}
not() { ! "$@"; }
