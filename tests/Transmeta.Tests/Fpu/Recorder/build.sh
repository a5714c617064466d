#!/bin/sh
# Builds the x87 recorder (an i386 Linux program) into ${OUT:-/tmp}/x87rec.
set -eu
cd "$(dirname "$0")"
OUT=${OUT:-/tmp}
nasm -f elf32 tramp.asm -o "$OUT/x87rec-tramp.o"
gcc -m32 -O1 -static -fno-pie -no-pie -Wl,-z,noexecstack x87rec.c "$OUT/x87rec-tramp.o" -o "$OUT/x87rec"
echo "$OUT/x87rec"
