#!/bin/bash
# tests/with-kvm/run.sh [--quick]: self-test of tools/with-kvm.
#
# Every nested VM boot costs seconds under QEMU's software CPU, so the
# checks of the nested path share one boot running a small checking
# script; the failure paths that need a VM of their own (timeout, a module
# that will not load) are skipped with --quick. The nested path is forced
# (RRV_WITH_KVM_DEVICE names a missing device), so it is tested even on a
# machine with a working /dev/kvm.
#
# Prints one "ok"/"not ok" line per check; exits 1 if any check failed.

# SC2016: check's expressions are single-quoted to be expanded by eval.
# SC2089, SC2090: the quotes inside WK_TEST_VAR are test data.
# shellcheck disable=SC2016,SC2089,SC2090

set -u

top=$(cd -- "$(dirname -- "$0")/../.." && pwd -P)
wk=$top/tools/with-kvm
quick=0
[ "${1:-}" = --quick ] && quick=1

failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/with-kvm-test.XXXXXX") || exit 1
# The project share is what the guest may write; the file lands under the
# git-ignored build/.
outdir=$top/build/tests/with-kvm
mkdir -p "$outdir" || exit 1
guest_file=$outdir/written-by-guest.$$
trap 'rm -rf -- "$scratch" "$guest_file"' EXIT

# The caller's settings would change what is being tested.
unset RRV_KVM_MODE RRV_WITH_KVM_DEVICE RRV_KVM_TIMEOUT RRV_KVM_VERBOSE \
	RRV_KVM_QEMU_CPU

# check DESCRIPTION EXPRESSION [FILE...]: evaluate a test expression (a
# string, so that it may use && and !) and print its verdict, showing the
# files as evidence when it fails. A failure does not stop the others, so
# one run shows everything that is broken.
check() {
	local what=$1 expr=$2 f
	shift 2
	if eval "$expr"; then
		printf 'ok - %s\n' "$what"
	else
		printf 'not ok - %s\n' "$what"
		failed=1
		for f in "$@"; do
			printf '# --- %s:\n' "$f"
			sed 's/^/#   /' "$f"
		done
	fi
}

# --- host mode: no VM, CMD runs directly ------------------------------------
RRV_WITH_KVM_DEVICE=/dev/null "$wk" sh -c 'exit 7' >"$scratch/h.out" 2>"$scratch/h.err"
rc=$?
check "host mode: CMD's exit status 7 passes through (got $rc)" '[ "$rc" = 7 ]'
check "host mode: says it uses the host's /dev/kvm" \
	"grep -q '^with-kvm: using the host.s /dev/kvm' \"\$scratch/h.err\"" "$scratch/h.err"

# --- invocation errors, before any VM ----------------------------------------
"$wk" >/dev/null 2>"$scratch/u.err"
rc=$?
check "no CMD: usage error 120 (got $rc)" '[ "$rc" = 120 ]' "$scratch/u.err"

RRV_WITH_KVM_DEVICE=/nonexistent RRV_KVM_TIMEOUT=soon "$wk" true 2>"$scratch/s.err"
rc=$?
check "bad RRV_KVM_TIMEOUT: status 120 and a one-line reason (got $rc)" \
	'[ "$rc" = 120 ] && grep -q "^with-kvm: bad setting RRV_KVM_TIMEOUT=soon" "$scratch/s.err"' \
	"$scratch/s.err"

RRV_WITH_KVM_DEVICE=/nonexistent PATH=/nonexistent "$wk" true 2>"$scratch/q.err"
rc=$?
check "qemu missing: status 121, suggests make deps (got $rc)" \
	'[ "$rc" = 121 ] && grep -q "qemu-system-x86_64 is not installed.*make deps" "$scratch/q.err"' \
	"$scratch/q.err"

# --- the nested VM: one boot checks all of the following ---------------------
# Arguments that a careless quoting would mangle.
args=('two words' '' "single'quote" 'double"quote' $'new\nline' '$HOME `id` \n' '*' '-n')
WK_TEST_VAR=$'spaces  and "quotes" and \'single\'\nand a newline\n'
export WK_TEST_VAR WK_TEST_FILE=$guest_file

inner='
printf "arg:<%s>\n" "$@"
printf "cwd:<%s>\n" "$(pwd)"
printf "env:<%s>\n" "$WK_TEST_VAR"
test -c /dev/kvm && echo kvm:yes
cat
echo from-guest >"$WK_TEST_FILE"
echo from-guest >written-in-cwd
echo err-line >&2
test -c /dev/kvm && exit 7
exit 3
'
{
	printf 'arg:<%s>\n' "${args[@]}"
	printf 'cwd:<%s>\n' "$scratch"
	printf 'env:<%s>\n' "$WK_TEST_VAR"
	echo kvm:yes
} >"$scratch/expected.out"

# The working directory is outside the project and stdin is a file: the
# guest must see the same directory and an empty stdin.
start=$(date +%s)
(cd "$scratch" && RRV_WITH_KVM_DEVICE=/nonexistent/kvm \
	"$wk" sh -c "$inner" sh "${args[@]}" \
	<"$top/tests/with-kvm/run.sh" >"$scratch/n.out" 2>"$scratch/n.err")
rc=$?
printf '# the nested run took %s s\n' "$(($(date +%s) - start))"
check "nested: falls back to the VM and says so" \
	'grep -q "^with-kvm: no usable /dev/kvm here; running in a nested VM" "$scratch/n.err"' \
	"$scratch/n.err"
check "nested: /dev/kvm is a char device, exit status 7 passes through (got $rc)" \
	'[ "$rc" = 7 ]' "$scratch/n.err"
check "nested: stdout is exactly CMD's (args, cwd, env, /dev/kvm, empty stdin)" \
	'cmp -s "$scratch/expected.out" "$scratch/n.out"' \
	"$scratch/n.out" "$scratch/expected.out"
check "nested: stderr has CMD's stderr and none of its stdout" \
	'grep -qx err-line "$scratch/n.err" && ! grep -q "arg:<" "$scratch/n.err"' \
	"$scratch/n.err"
check "nested: stdout has nothing of stderr or the kernel console" \
	'! grep -qE "err-line|^with-kvm:|Linux version" "$scratch/n.out"' "$scratch/n.out"
check "nested: the project directory is writable at the same path" \
	'grep -qx from-guest "$guest_file"'
check "nested: the working directory outside the project is writable" \
	'grep -qx from-guest "$scratch/written-in-cwd"'

# --- failure paths that need a VM each ---------------------------------------
# forget_log FILE: the runner keeps the console log of a failed run for
# the user; the expected failures here need not litter /tmp.
forget_log() {
	local log
	log=$(sed -n 's/.*console log: \(\/[^ ]*\/console\.log\).*/\1/p' "$1" | head -n 1)
	[ -n "$log" ] && rm -rf -- "$(dirname -- "$log")"
}

if [ "$quick" = 0 ]; then
	RRV_WITH_KVM_DEVICE=/nonexistent RRV_KVM_TIMEOUT=3 "$wk" sleep 100 \
		>"$scratch/t.out" 2>"$scratch/t.err"
	rc=$?
	check "timeout: status 124, names the console log (got $rc)" \
		'[ "$rc" = 124 ] && grep -q "did not finish within 3 s (guest hung?); console log: /" "$scratch/t.err"' \
		"$scratch/t.err"
	forget_log "$scratch/t.err"

	# Without SVM in QEMU's CPU, kvm-amd refuses to load: the guest must
	# report which module failed and why.
	RRV_WITH_KVM_DEVICE=/nonexistent RRV_KVM_QEMU_CPU=EPYC,-svm "$wk" true \
		>"$scratch/m.out" 2>"$scratch/m.err"
	rc=$?
	check "module failure: status 123, names kvm-amd and insmod's error (got $rc)" \
		'[ "$rc" = 123 ] && grep -q "^with-kvm: loading kernel module kvm-amd in the nested VM failed: insmod: " "$scratch/m.err"' \
		"$scratch/m.err"
	forget_log "$scratch/m.err"
fi

exit $failed
