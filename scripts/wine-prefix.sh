#!/usr/bin/env bash
# Makes the Wine prefix the tests run payrun.exe in (default target/wine-prefix) and puts the
# stand-in bcryptprimitives.dll into its system32 (see scripts/wine/bcryptprimitives.c; Debian's
# Wine 8 lacks that DLL). The stand-in lives in the prefix only, never in the package.
# Prints the prefix path. Needs wine64 and gcc-mingw-w64-x86-64 (scripts/dist.sh installs them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${WINEPREFIX:-$root/target/wine-prefix}"
wine="$(bash "$root/scripts/wine-payrun" --which-wine)"
export WINEPREFIX="$prefix" WINEDEBUG="${WINEDEBUG:--all}" WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
if [ ! -f "$prefix/system.reg" ]; then
    mkdir -p "$prefix"
    "$wine" wineboot --init >/dev/null 2>&1 || true
    "${wine%/*}/wineserver64" -w 2>/dev/null || wineserver -w 2>/dev/null || true
fi
sys32="$prefix/drive_c/windows/system32"
[ -d "$sys32" ] || { echo "wine-prefix.sh: $sys32 missing: wineboot failed" >&2; exit 1; }
dll="$sys32/bcryptprimitives.dll"
src="$root/scripts/wine/bcryptprimitives.c"
if [ ! -f "$dll" ] || [ "$src" -nt "$dll" ]; then
    x86_64-w64-mingw32-gcc -shared -O2 -s -o "$dll" "$src" -ladvapi32
fi
echo "$prefix"
