#!/usr/bin/env bash
# Builds payrun's packages into target/dist/ (SPEC §13.1, §13.2):
#   target/dist/payrun-<version>-windows-x86_64.zip   payrun.exe (stripped, no DLL beyond Windows'
#                                                      own), templates/, samples/, 使用说明.html,
#                                                      运行示例.bat
#   target/dist/payrun                                the Linux x86_64 binary, stripped
#   target/dist/SHA256SUMS
# On a fresh machine of this kind (Debian 12, rustup's stable toolchain, no rustup targets to
# download) it first installs what it needs:
#   - Debian packages: gcc-mingw-w64-x86-64 (linker, dlltool, the C compiler mimalloc needs); with
#     --with-wine also wine64 (for scripts/wine-test.sh). The zip is written by python3's zipfile;
#   - the Windows toolchain: Debian bookworm-security's rustc-web, cargo-web and rust-web-src (the
#     std source for -Zbuild-std) and the libraries they need that are not installed, fetched with
#     `apt-get download` and unpacked with `dpkg -x` under target/dist-toolchain/ (installing them
#     would conflict with rustup).
# The Windows build has its own target dir (target/win) so it never touches target/release.
# Usage: bash scripts/dist.sh [--with-wine] [--no-install]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

with_wine=0
install=1
for a in "$@"; do
    case "$a" in
        --with-wine) with_wine=1 ;;
        --no-install) install=0 ;;
        *) echo "dist.sh: unknown option $a" >&2; exit 1 ;;
    esac
done

step_start=$(date +%s)
step() {
    local now
    now=$(date +%s)
    echo "dist.sh: $1 ($((now - step_start)) s since start)"
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# --- 1. Debian packages -------------------------------------------------------------------------
need=(gcc-mingw-w64-x86-64)
[ "$with_wine" = 1 ] && need+=(wine64)
missing=()
for p in "${need[@]}"; do installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
    [ "$install" = 1 ] || { echo "dist.sh: missing packages: ${missing[*]}" >&2; exit 1; }
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi
step "Debian packages present: ${need[*]}"

# --- 2. The Windows toolchain, unpacked -----------------------------------------------------------
tc="$root/target/dist-toolchain"
tcroot="$tc/root"
# The toolchain is the candidate of bookworm-security; a new candidate is fetched again.
version="$(apt-cache policy rustc-web | awk '/Candidate:/ {print $2}')"
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    [ "$install" = 1 ] && as_root apt-get update -qq
    version="$(apt-cache policy rustc-web | awk '/Candidate:/ {print $2}')"
fi
[ -n "$version" ] && [ "$version" != "(none)" ] || { echo "dist.sh: no rustc-web in apt sources" >&2; exit 1; }
if [ "$(cat "$tc/version" 2>/dev/null)" != "$version" ]; then
    [ "$install" = 1 ] || { echo "dist.sh: toolchain $version not unpacked" >&2; exit 1; }
    rm -rf "$tc"
    mkdir -p "$tc/debs"
    # What apt would install beside this machine's packages (alternatives resolved as apt does;
    # gcc, the C library headers and binutils, which rustc-web wants as host linker, are here).
    mapfile -t fetch < <(apt-get -s install --no-install-recommends \
        rustc-web cargo-web rust-web-src libstd-rust-web-dev 2>/dev/null | awk '/^Inst / {print $2}')
    [ "${#fetch[@]}" -gt 0 ] || { echo "dist.sh: apt cannot resolve rustc-web" >&2; exit 1; }
    echo "dist.sh: fetching ${fetch[*]}"
    # (As root apt warns that its sandbox user cannot write here and downloads anyway.)
    if ! (cd "$tc/debs" && apt-get download -q "${fetch[@]}" >"$tc/download.log" 2>&1); then
        cat "$tc/download.log" >&2
        exit 1
    fi
    for d in "$tc"/debs/*.deb; do dpkg -x "$d" "$tcroot"; done
    echo "$version" >"$tc/version"
fi
export_tc() {
    export LD_LIBRARY_PATH="$tcroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
}
(export_tc; "$tcroot/usr/bin/rustc" -V >/dev/null && "$tcroot/usr/bin/cargo" -V >/dev/null) || {
    echo "dist.sh: the unpacked toolchain does not start (missing library?):" >&2
    LD_LIBRARY_PATH="$tcroot/usr/lib/x86_64-linux-gnu" ldd "$tcroot/usr/bin/rustc" "$tcroot/usr/bin/cargo" | grep 'not found' >&2
    exit 1
}
step "Windows toolchain: $(export_tc; "$tcroot/usr/bin/rustc" -V)"

pkgver="$(cargo metadata --no-deps --format-version 1 --offline 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])' 2>/dev/null \
    || sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
dist="$root/target/dist"
mkdir -p "$dist"

# --- 3. Linux binary (rustup's toolchain, the dist profile: writes target/dist/payrun) ------------
t0=$(date +%s)
nice -n 10 cargo build --locked --profile dist --bin payrun
step "Linux build: $(( $(date +%s) - t0 )) s"

# --- 4. Windows binary ------------------------------------------------------------------------------
t0=$(date +%s)
(
    export_tc
    export RUSTC="$tcroot/usr/bin/rustc" RUSTC_BOOTSTRAP=1
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-C dlltool=x86_64-w64-mingw32-dlltool"
    # The cc crate picks x86_64-w64-mingw32-gcc for mimalloc from the target name.
    nice -n 10 "$tcroot/usr/bin/cargo" build --locked -Zbuild-std=std,panic_abort \
        --target x86_64-pc-windows-gnu --profile dist --bin payrun --target-dir "$root/target/win"
)
exe="$root/target/win/x86_64-pc-windows-gnu/dist/payrun.exe"
step "Windows build: $(( $(date +%s) - t0 )) s"

# The exe may import only DLLs every Windows 10+ has.
allowed='^(kernel32|kernelbase|ntdll|advapi32|userenv|ws2_32|msvcrt|bcrypt|bcryptprimitives|shell32|ole32|oleaut32|user32|secur32|crypt32|api-ms-win-.*)\.dll$'
bad=$(x86_64-w64-mingw32-objdump -p "$exe" | awk '/DLL Name:/ {print tolower($3)}' | sort -u | grep -Ev "$allowed" || true)
if [ -n "$bad" ]; then
    echo "dist.sh: payrun.exe imports DLLs Windows does not have: $bad" >&2
    exit 1
fi
echo "dist.sh: payrun.exe imports: $(x86_64-w64-mingw32-objdump -p "$exe" | awk '/DLL Name:/ {print $3}' | sort -uf | tr '\n' ' ')"
# mimalloc (C) must be the mingw build inside the exe, not skipped or built for Linux.
mi=$(find "$root/target/win/x86_64-pc-windows-gnu/dist/build" -path '*libmimalloc-sys-*/out/*' -name 'libmimalloc*.a' | head -1)
[ -n "$mi" ] && x86_64-w64-mingw32-objdump -a "$mi" | grep -q 'file format pe-x86-64' || {
    echo "dist.sh: mimalloc was not cross-compiled for Windows ($mi)" >&2
    exit 1
}
if x86_64-w64-mingw32-objdump -h "$exe" | grep -q '\.debug_'; then
    echo "dist.sh: payrun.exe is not stripped" >&2
    exit 1
fi

# --- 5. The zip ---------------------------------------------------------------------------------
name="payrun-$pkgver-windows-x86_64"
stage="$dist/stage/$name"
rm -rf "$dist/stage"
mkdir -p "$stage"
cp "$exe" "$stage/payrun.exe"
cp -r templates samples "$stage/"
cp packaging/使用说明.html "$stage/"
# A .bat must have CRLF line ends: kept whatever a checkout did to the source (.gitattributes).
sed 's/\r*$/\r/' packaging/运行示例.bat >"$stage/运行示例.bat"
# Same inputs, same zip: sorted entries, one timestamp (the commit's), fixed attributes. Python's
# zipfile sets the UTF-8 flag on non-ASCII names, so Windows Explorer shows 使用说明.html rather
# than the bytes decoded in the PC's legacy code page; Info-ZIP's zip 3.0 here sets no such flag.
stamp="$(git log -1 --format=%ct 2>/dev/null || echo 1767225600)"
rm -f "$dist/$name.zip"
python3 - "$dist/stage" "$name" "$dist/$name.zip" "$stamp" <<'PY'
import os, sys, time, zipfile
stage, name, out, stamp = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
when = time.gmtime(stamp)[:6]
paths = []
for d, dirs, files in os.walk(os.path.join(stage, name)):
    rel = os.path.relpath(d, stage).replace(os.sep, "/")
    paths.append(rel + "/")
    paths += [rel + "/" + f for f in files]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for p in sorted(paths):
        info = zipfile.ZipInfo(p, when)
        if p.endswith("/"):
            info.external_attr = 0o40755 << 16 | 0x10
            z.writestr(info, b"")
        else:
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(os.path.join(stage, p), "rb") as f:
                z.writestr(info, f.read())
PY
rm -rf "$dist/stage"
(cd "$dist" && sha256sum "$name.zip" payrun >SHA256SUMS)
step "wrote $dist/$name.zip ($(stat -c %s "$dist/$name.zip") bytes; payrun.exe $(stat -c %s "$exe") bytes) and $dist/payrun ($(stat -c %s "$dist/payrun") bytes)"
