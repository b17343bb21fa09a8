#!/usr/bin/env bash
# The parsing workers' Job Object under Wine (SPEC §13.4; src/ingest/worker.rs), run by
# scripts/wine-test.sh. Shows what Wine implements and that payrun's workers get it:
#   1. job-probe limits: a job made like payrun's — Wine 8 accepts the memory limit but neither
#      reports it back nor enforces it (a 1 GiB commit passes a 256 MiB limit), and it does kill
#      a job's processes when the job's last handle closes.
#   2. payrun.exe reading a workbook that takes its worker many seconds: the worker is in a job;
#      when payrun is killed (SIGKILL, no clean-up of its own) the worker dies with it.
# Fails when Wine stops implementing what it implements today, or payrun's worker is not in a
# job or outlives payrun.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export WINEPREFIX="${WINEPREFIX:-$root/target/wine-prefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
wine="$(bash scripts/wine-payrun --which-wine)"
tools="$root/target/wine-tools"
mkdir -p "$tools"
x86_64-w64-mingw32-gcc -municode -O2 -s -o "$tools/job-probe.exe" scripts/wine/job-probe.c
probe() { "$wine" "$tools/job-probe.exe" "$@"; }

echo "--- 1. What Wine does with a job like the workers' ---"
limits="$(probe limits)"
echo "$limits"
grep -q '^set_limits: accepted' <<<"$limits" || { echo "job check: SetInformationJobObject refused" >&2; exit 1; }
grep -q '^kill_on_close: child killed' <<<"$limits" || { echo "job check: kill on close not done" >&2; exit 1; }
if grep -q 'limit enforced' <<<"$limits"; then
    echo "job check: Wine enforces JOB_OBJECT_LIMIT_PROCESS_MEMORY now: extend this check to a heavy file"
fi

echo "--- 2. payrun.exe's worker is in a job and dies with payrun ---"
work="$(mktemp -d "$root/target/wine-job.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/来文"
python3 scripts/wine/slow_workbook.py "$work/来文/慢.xlsx" 600000
"$wine" "$(bash scripts/wine-payrun --which-exe)" run --period 2025-H1 --run-date 2025-06-30 \
    --out "$work/输出" "$work/来文" >"$work/run.log" 2>&1 &
parent=$!
worker=""
for _ in $(seq 1 120); do
    # Only this check's worker: its command line holds the unique folder name.
    worker="$(pgrep -f -- "__ingest-worker.*${work##*/}" | head -1 || true)"
    [ -n "$worker" ] && break
    sleep 0.5
done
[ -n "$worker" ] || { echo "job check: no worker started" >&2; cat "$work/run.log" >&2; kill -9 "$parent"; exit 1; }
sleep 1
jobs_seen="$(probe workers)"
echo "$jobs_seen"
grep -q 'in a job' <<<"$jobs_seen" || { echo "job check: the worker is in no job" >&2; kill -9 "$parent"; exit 1; }
kill -9 "$parent"
gone=""
for i in $(seq 1 20); do
    if ! kill -0 "$worker" 2>/dev/null; then gone=$i; break; fi
    sleep 0.25
done
if [ -z "$gone" ]; then
    echo "job check: the worker outlived payrun by 5 s" >&2
    kill -9 "$worker" 2>/dev/null || true
    exit 1
fi
echo "payrun killed: its worker (still reading 慢.xlsx) ended within $((gone * 250)) ms"
wait "$parent" 2>/dev/null || true
