#!/usr/bin/env bash
# Installs what Transmeta needs on a fresh Debian machine, saying what it does, and restores
# the .NET packages. Sourced by run-default-guest.sh and run-tests.sh.
set -euo pipefail

missing=()
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required and not on PATH" >&2; exit 1; }
# qemu-system-i386: the reference machine the tests compare guest output against.
command -v qemu-system-i386 >/dev/null || missing+=(qemu-system-x86)
# nasm and gcc -m32 (static i386 libc): the differential tester's native harness (tests/native-harness).
command -v nasm >/dev/null || missing+=(nasm)
{ command -v gcc >/dev/null && [ -e /usr/lib32/libc.a ]; } || missing+=(gcc-multilib)
# libLLVM 19 (Debian's libllvm19): the LLVM backend (--backend llvm) loads it at run time.
grep -q 'libLLVM\(-19\.so\|\.so\.19\)' <<<"$(ldconfig -p 2>/dev/null || true)" || missing+=(libllvm19)

if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then
        echo "setup: installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "setup: missing Debian packages (install them with sudo apt-get install ${missing[*]}): tests that need them are left out" >&2
    fi
fi

echo "setup: restoring .NET packages"
dotnet restore Transmeta.sln --verbosity quiet
