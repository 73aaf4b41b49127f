# Helpers for the end-to-end tests (sourced by tests/e2e/run-all).
#
# A test is a shell function named t_<something> in a tests/e2e/*.test.sh
# file.  It runs commands with `run CMD...`, which keeps their stdout,
# stderr and status, then states what it expects with the expect_* helpers.
# Each failed expectation is recorded; the test fails if any was.

RRV=${RRV:-$PWD/build/rrv}
E2E_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/rrv-e2e.XXXXXX")
trap 'rm -rf "$E2E_ROOT"' EXIT

e2e_begin() {
	E2E_TMP=$E2E_ROOT/$1
	mkdir -p "$E2E_TMP"
	: >"$E2E_TMP/failures"
}

# run CMD...: runs CMD with a time limit, keeping out, err and status.
run() {
	timeout 300 "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"
	STATUS=$?
	LAST_CMD="$*"
}

fail() {
	{
		echo "$*"
		echo "  command: $LAST_CMD"
		echo "  status: $STATUS"
		echo "  stdout:"; sed 's/^/    | /' "$E2E_TMP/out" | head -20
		echo "  stderr:"; sed 's/^/    | /' "$E2E_TMP/err" | head -20
	} >>"$E2E_TMP/failures"
}

expect_status() {
	[ "$STATUS" -eq "$1" ] || fail "expected exit status $1, got $STATUS"
}

expect_stdout() {
	printf '%s' "$1" | cmp -s - "$E2E_TMP/out" ||
		fail "stdout differs from: $(printf '%q' "$1")"
}

expect_stderr() {
	printf '%s' "$1" | cmp -s - "$E2E_TMP/err" ||
		fail "stderr differs from: $(printf '%q' "$1")"
}

# expect_stdout_has / expect_stderr_has EXTENDED-REGEX
expect_stdout_has() {
	grep -Eq -- "$1" "$E2E_TMP/out" || fail "stdout lacks /$1/"
}

expect_stderr_has() {
	grep -Eq -- "$1" "$E2E_TMP/err" || fail "stderr lacks /$1/"
}

expect_stderr_lacks() {
	! grep -Eq -- "$1" "$E2E_TMP/err" || fail "stderr has /$1/"
}
