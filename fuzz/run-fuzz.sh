#!/bin/sh
# Runs one fuzz target in the background-friendly way used for payrun (2 shared cores):
#   fuzz/run-fuzz.sh TARGET SECONDS [extra libFuzzer flags]
# Fork mode keeps going past crashes, OOMs and timeouts; every stop is saved under
# artifacts/TARGET/ and triage.sh tells contained calamine aborts from payrun bugs.
# The address-space limit is the worker's (4 GiB), the per-input time limit is 60 s.
set -eu
cd "$(dirname "$0")"
target=$1; secs=$2; shift 2
bin=${FUZZ_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release/$target
mkdir -p "corpus/$target" "artifacts/$target" seeds/$target
export TMPDIR=${TMPDIR:-/dev/shm}
ulimit -v 4194304
dict=""
[ "$target" = cells ] || dict="-dict=xlsx.dict"
exec nice -n 10 "$bin" "corpus/$target" "seeds/$target" $dict \
  -artifact_prefix="artifacts/$target/" -max_total_time="$secs" -max_len=262144 \
  -timeout=60 -rss_limit_mb=3072 -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
  -print_final_stats=1 "$@"
