#!/usr/bin/env bash
# The socket and polling tests (docs/sockets.md):
#   1. units.c (socketpair, eventfd, timerfd, epoll, poll/select), static
#      glibc and musl: native output == `rrv run` == `rrv record` ==
#      `rrv replay`;
#   2. server.c under `rrv record` on 127.0.0.1, talked to by the native
#      client; `rrv replay` prints the same with no client and no network;
#   3. client.c under `rrv record` fetching a page from a native server
#      (python3 -m http.server when there is a python3, else server.c);
#      the replay, with that server gone, prints the same;
#   4. busybox wget (static), Debian's wget and curl (dynamically linked)
#      under `rrv record` likewise.
# Without KVM, run it inside the nested VM:
#   RRV_WITH_KVM_DEVICE=/nonexistent tools/with-kvm sh tests/net/run.sh
# Exit status 0 when every case passed.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

NET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$NET_DIR/../.." && pwd)
RRV=${RRV:-$ROOT/build/rrv}
out=$ROOT/build/tests/net
[ -x "$RRV" ] || { echo "net: $RRV is not an executable (run make first)" >&2; exit 2; }

for libc in glibc musl; do
	cc=gcc
	[ $libc = musl ] && cc=musl-gcc
	command -v $cc >/dev/null || { echo "net: $cc is missing (make deps)" >&2; exit 2; }
	mkdir -p "$out/$libc"
	for p in units server client; do
		if [ ! -x "$out/$libc/$p" ] || [ "$NET_DIR/$p.c" -nt "$out/$libc/$p" ]; then
			$cc -static -O1 -Wall -o "$out/$libc/$p" "$NET_DIR/$p.c" || exit 2
		fi
	done
done

# The nested VM may start with its loopback down.
if command -v ip >/dev/null && ip link show lo 2>/dev/null | grep -q 'state DOWN'; then
	ip link set lo up 2>/dev/null || echo "net: loopback is down and cannot be brought up" >&2
fi

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
pass=0
fail=0
ok() { echo "ok    $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL  $1: $2"
	fail=$((fail + 1))
	[ -n "${3:-}" ] && [ -f "$3" ] && [ -f "$4" ] && diff "$3" "$4" | head -20 | sed 's/^/      /'
}
same() { # LABEL A B
	if cmp -s "$2" "$3"; then ok "$1"; else bad "$1" "outputs differ" "$2" "$3"; fi
}

# A port nobody uses now: the kernel picks, we close and reuse.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

# Waits until FILE holds "listening" (the server is up), at most 15 s.
wait_listening() {
	for _ in $(seq 150); do
		grep -q listening "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# 1. Units.
for libc in glibc musl; do
	u=$out/$libc/units
	"$u" >"$work/u.native" 2>"$work/err"
	"$RRV" run "$u" >"$work/u.run" 2>"$work/err"
	same "$libc/units: native vs rrv run" "$work/u.native" "$work/u.run"
	rm -f "$work/u.rrv"
	"$RRV" record -o "$work/u.rrv" "$u" >"$work/u.rec" 2>"$work/err"
	same "$libc/units: native vs rrv record" "$work/u.native" "$work/u.rec"
	"$RRV" replay "$work/u.rrv" >"$work/u.rep" 2>"$work/err"
	same "$libc/units: record vs replay" "$work/u.rec" "$work/u.rep"
done

# 2. A recorded server, a native client.
for libc in glibc musl; do
	port=$(free_port)
	rm -f "$work/s.rrv"
	"$RRV" record -o "$work/s.rrv" "$out/$libc/server" "$port" 2 >"$work/s.rec" 2>"$work/s.err" &
	spid=$!
	if ! wait_listening "$work/s.rec"; then
		bad "$libc/server: recorded" "never listened" ; cat "$work/s.rec" "$work/s.err"
		kill $spid 2>/dev/null
		continue
	fi
	"$out/glibc/client" "$port" /a >"$work/c1" 2>&1
	"$out/glibc/client" "$port" /b >"$work/c2" 2>&1
	wait $spid
	st=$?
	if [ $st -eq 0 ] && grep -q "request: GET /b" "$work/s.rec" && grep -q "hello from rrv" "$work/c2"; then
		ok "$libc/server: recorded, native client served"
	else
		bad "$libc/server: recorded" "status $st"; cat "$work/s.rec" "$work/s.err" "$work/c1"
	fi
	"$RRV" replay "$work/s.rrv" >"$work/s.rep" 2>"$work/err"
	same "$libc/server: record vs replay (no client)" "$work/s.rec" "$work/s.rep"
done

# 3. A recorded client, a native server.
port=$(free_port)
if command -v python3 >/dev/null; then
	mkdir -p "$work/www"
	echo "a page for rrv" >"$work/www/page.txt"
	(cd "$work/www" && exec python3 -m http.server --bind 127.0.0.1 "$port" >"$work/py.log" 2>&1) &
	srv=$!
	what="python3 -m http.server"
	for _ in $(seq 100); do
		"$out/glibc/client" "$port" / >/dev/null 2>&1 && break
		sleep 0.1
	done
	path=/page.txt
else
	"$out/glibc/server" "$port" 8 >"$work/ns.log" 2>&1 &
	srv=$!
	what="server.c"
	wait_listening "$work/ns.log"
	path=/page
fi
for libc in glibc musl; do
	"$RRV" record -o "$work/c.$libc.rrv" "$out/$libc/client" "$port" "$path" >"$work/c.rec" 2>"$work/c.err"
	st=$?
	if [ $st -eq 0 ] && grep -q "200 OK" "$work/c.rec"; then
		ok "$libc/client: recorded, fetched a page from $what"
	else
		bad "$libc/client: recorded" "status $st"; cat "$work/c.rec" "$work/c.err"
	fi
	cp "$work/c.rec" "$work/c.$libc.rec"
done
# Everyday fetchers: busybox's static wget, and Debian's dynamically
# linked wget and curl (libc, TLS libraries and all through ld.so).
# make deps installs all three (tools/deps.sh).
bb=$(command -v busybox || echo busybox)
fetchers=("busybox-wget:$bb wget -q -O -" "wget:/usr/bin/wget -q -O -"
	"curl:/usr/bin/curl -s -S")
for f in "${fetchers[@]}"; do
	fname=${f%%:*}
	# shellcheck disable=SC2086 # the command is a word list by design
	"$RRV" record -o "$work/$fname.rrv" ${f#*:} "http://127.0.0.1:$port$path" >"$work/$fname.rec" 2>"$work/$fname.err"
	st=$?
	if [ $st -eq 0 ] && grep -q "a page\|hello" "$work/$fname.rec"; then
		ok "$fname: recorded, fetched a page from $what"
	else
		bad "$fname: recorded" "status $st"; cat "$work/$fname.rec" "$work/$fname.err"
	fi
done
kill $srv 2>/dev/null
wait $srv 2>/dev/null
# The network is gone: replays only.
for libc in glibc musl; do
	"$RRV" replay "$work/c.$libc.rrv" >"$work/c.rep" 2>"$work/err"
	same "$libc/client: record vs replay (server gone)" "$work/c.$libc.rec" "$work/c.rep"
done
for f in "${fetchers[@]}"; do
	fname=${f%%:*}
	"$RRV" replay "$work/$fname.rrv" >"$work/$fname.rep" 2>"$work/err"
	same "$fname: record vs replay (server gone)" "$work/$fname.rec" "$work/$fname.rep"
done

echo "net tests: $pass passed, $fail failed"
[ $fail -eq 0 ]
