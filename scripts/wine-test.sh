#!/usr/bin/env bash
# Tests the Windows package under Wine (SPEC §13.3): builds it (scripts/dist.sh --with-wine,
# which also installs Wine and the toolchain on a fresh machine), unzips it into a folder with a
# Chinese name, runs 运行示例.bat in Wine's cmd, then the CLI integration tests against the
# unzipped payrun.exe (PAYRUN_BIN=scripts/wine-payrun), tests/windows_package.rs comparing it
# with the Linux build, and the worker's Job Object checks. Prints the time of each step.
# Usage: bash scripts/wine-test.sh [--no-build]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build=1
[ "${1:-}" = "--no-build" ] && build=0

t_all=$(date +%s)
t=$t_all
lap() {
    local now
    now=$(date +%s)
    echo "wine-test.sh: $1: $((now - t)) s"
    t=$now
}

if [ "$build" = 1 ]; then
    bash scripts/dist.sh --with-wine
    lap "dist.sh (packages, toolchain, both builds, zip)"
fi
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
zipfile="$root/target/dist/payrun-$version-windows-x86_64.zip"
[ -f "$zipfile" ] || { echo "wine-test.sh: $zipfile missing (run scripts/dist.sh)" >&2; exit 1; }

export WINEPREFIX="${WINEPREFIX:-$root/target/wine-prefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
bash scripts/wine-prefix.sh >/dev/null
wine="$(bash scripts/wine-payrun --which-wine)"
wineserver="$(bash scripts/wine-payrun --which-wineserver)"
# One wineserver for the whole run, with the prefix's services started here. Otherwise the
# first payrun.exe a test starts also starts the server and its services, which inherit that
# test's stdout and stderr pipes and keep them open: the test would wait for their end forever.
"$wineserver" -k >/dev/null 2>&1 || true
"$wineserver" -p </dev/null >/dev/null 2>&1
"$wine" wineboot </dev/null >/dev/null 2>&1 || true
trap '"$wineserver" -k >/dev/null 2>&1 || true' EXIT
lap "Wine prefix with the stand-in bcryptprimitives.dll"

# The package as a clerk unzips it, in a folder with a Chinese name and a space.
unz="$root/target/dist/解压 测试"
rm -rf "$unz"
mkdir -p "$unz"
python3 - "$zipfile" "$unz" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for i in z.infolist():
    # Windows Explorer decodes names by the PC's code page unless the UTF-8 flag is set.
    if any(ord(c) > 127 for c in i.filename) and not i.flag_bits & 0x800:
        sys.exit(f"{i.filename}: no UTF-8 flag in the zip")
z.extractall(sys.argv[2])
EOF
pkg="$unz/payrun-$version-windows-x86_64"
for f in payrun.exe 使用说明.html 运行示例.bat templates/policy-2025.toml \
         templates/人民调解个案补贴申报表.xlsx templates/社区矫正协勤人员经费申报表.xlsx \
         samples/2025-H1 samples/2025-H2 samples/staff-2025; do
    [ -e "$pkg/$f" ] || { echo "wine-test.sh: $f missing from the zip" >&2; exit 1; }
done
if x86_64-w64-mingw32-objdump -p "$pkg/payrun.exe" | grep -qi 'DLL Name: bcryptprimitives' \
    && [ -e "$pkg/bcryptprimitives.dll" ]; then
    echo "wine-test.sh: the stand-in DLL must not be in the package" >&2
    exit 1
fi
export PAYRUN_EXE="$pkg/payrun.exe"

# 运行示例.bat as a double-click runs it (without opening Explorer and pausing).
(cd "$pkg" && PAYRUN_NO_OPEN=1 "$wine" cmd /c 运行示例.bat >"$root/target/dist/bat.log" 2>&1) || {
    echo "wine-test.sh: 运行示例.bat failed:" >&2
    cat "$root/target/dist/bat.log" >&2
    exit 1
}
for f in 2025-H1/发放表_2025-H1.xlsx 2025-H2/发放表_2025-H2.xlsx staff-2025/经费下达表_2025.xlsx 台账.xlsx; do
    [ -f "$pkg/sample-output/$f" ] || { echo "wine-test.sh: 运行示例.bat did not write $f" >&2; exit 1; }
done
lap "运行示例.bat under wine cmd"

# Helpers for the tests, built with mingw: a file held open as Excel holds it.
tools="$root/target/wine-tools"
mkdir -p "$tools"
x86_64-w64-mingw32-gcc -municode -O2 -s -o "$tools/hold-open.exe" scripts/wine/hold-open.c
export PAYRUN_HOLD_OPEN="$tools/hold-open.exe"

# The CLI integration tests against payrun.exe, then the comparison with the Linux build.
PAYRUN_BIN="$root/scripts/wine-payrun" nice -n 5 cargo test --release --no-fail-fast \
    --test run_cli --test ledger_cli --test staff_cli --test county_tools --test hostile \
    --test workbooks_cli --test windows_package
lap "integration tests against payrun.exe under Wine"

bash scripts/wine-job-check.sh
lap "worker Job Object under Wine"
echo "wine-test.sh: all passed in $(( $(date +%s) - t_all )) s"
