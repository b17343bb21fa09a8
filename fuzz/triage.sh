#!/bin/sh
# Classifies libFuzzer artifacts of the workbook/outputs targets:
#   fuzz/triage.sh TARGET [ARTIFACT…]      (default: every artifact of TARGET)
# Each artifact is replayed alone under the worker's 4 GiB address-space limit and sorted into
#   BUG        a panic in payrun's code, or a panic anywhere outside the worker, or an output that
#              cannot be written (marker PAYRUN-FUZZ-BUG)
#   ALLOC      calamine asked for more memory than the worker may have: contained by the worker,
#              the file becomes file_too_large
#   RSS        resident memory past 4 GiB without a failed allocation (libFuzzer's RSS limit):
#              the worker's address-space limit turns this into an ALLOC, file_too_large
#   TIMEOUT    over 60 s: contained by the worker's time limit (file_too_large) but worth a look
#   OTHER      anything else (look at the log)
# A log per artifact is left in triage/.
set -u
cd "$(dirname "$0")"
target=$1; shift
bin=${FUZZ_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release/$target
mkdir -p triage
[ $# -gt 0 ] || set -- artifacts/"$target"/*
export TMPDIR=${TMPDIR:-/dev/shm}
for a in "$@"; do
  [ -f "$a" ] || continue
  log=triage/$(basename "$a").log
  ( ulimit -v 4194304; timeout 120 nice -n 10 "$bin" -rss_limit_mb=4096 -timeout=60 "$a" >"$log" 2>&1 ); rc=$?
  if grep -q PAYRUN-FUZZ-BUG "$log"; then kind=BUG
  elif grep -q 'memory allocation of' "$log"; then kind=ALLOC
  elif grep -q 'libFuzzer: out-of-memory' "$log"; then kind=RSS
  elif [ $rc -eq 124 ] || grep -q 'ERROR: libFuzzer: timeout' "$log"; then kind=TIMEOUT
  elif [ $rc -eq 0 ]; then kind=PASS
  else kind=OTHER
  fi
  where=$(grep -m1 -E 'panicked at|PAYRUN-FUZZ-BUG|memory allocation of' "$log" | cut -c1-160)
  echo "$kind $(basename "$a") $(wc -c <"$a") $where"
done
