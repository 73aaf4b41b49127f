#!/bin/sh
# make run: records the bundled example, then replays it twice, showing
# that the replay prints exactly what the recording printed although the
# time, the random number and the file read all changed in between.
set -eu
cd "$(dirname "$0")/.."
rrv=build/rrv
trace=build/example.rrv
rm -f "$trace"
echo "== rrv record: the program runs in rrv's VM and every input is traced"
$rrv record -o "$trace" build/examples/hello README.md
echo
echo "== rrv replay: the same run again, from the trace alone"
$rrv replay "$trace"
echo
echo "== rrv info"
$rrv info "$trace"
