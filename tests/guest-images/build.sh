#!/bin/sh
# Build the Transmeta guest images from source and (optionally) record or
# check their expected outputs under QEMU. See README.md.
#
#   ./build.sh               build bin/*.elf
#   ./build.sh --record      build, then run every image under QEMU and write
#                            expected/NAME.out, expected/NAME.status
#   ./build.sh --check       build, then run under QEMU and compare with expected/
#   ./build.sh --host-check  build, then also link every image as a Linux i386
#                            program and compare its output on the host CPU
#                            with expected/ (cross-checks QEMU against hardware)
#   ./build.sh --host-build  build, then link the Linux i386 programs into
#                            build/host/NAME without running them (bench/ uses it)
#   ./build.sh --clean       remove build/
#
# Every C program in c/ is built twice: bin/NAME.elf (full size, listed in
# suite.txt) and bin/NAME-small.elf (compiled with -DSMALL: about 1/50 of the
# work, for tests under slow backends; listed in suite-small.txt).
# Image names after the options (e.g. `./build.sh --check sha256-small`) limit
# the QEMU and host runs to those images; everything is still built.
#
# Environment: CC (default gcc, else clang), LD (default ld, else ld.lld),
# QEMU (default qemu-system-i386), TIMEOUT (seconds per run, default 120).
# Installs nothing; prints the Debian packages that are missing.
set -eu
cd "$(dirname "$0")"

RECORD=0 CHECK=0 HOSTCHECK=0 HOSTBUILD=0 ONLY=""
for arg in "$@"; do
    case "$arg" in
        --record) RECORD=1 ;;
        --check) CHECK=1 ;;
        --host-check) HOSTCHECK=1 ;;
        --host-build) HOSTBUILD=1 ;;
        --clean) echo "removing build/"; rm -rf build; exit 0 ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        -*) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
        *) ONLY="$ONLY ${arg%.elf}" ;;
    esac
done

QEMU=${QEMU:-qemu-system-i386}
TIMEOUT=${TIMEOUT:-120}

# ------------------------------------------------------------ tool check
missing=""
have() { command -v "$1" >/dev/null 2>&1; }
have nasm || missing="$missing nasm"
if [ -z "${CC:-}" ]; then
    if have gcc; then CC=gcc; elif have clang; then CC=clang; else missing="$missing gcc-multilib"; CC=gcc; fi
fi
if [ -z "${LD:-}" ]; then
    if have ld; then LD=ld; elif have ld.lld; then LD=ld.lld; else missing="$missing binutils"; LD=ld; fi
fi
have objdump || missing="$missing binutils"
if [ $RECORD = 1 ] || [ $CHECK = 1 ]; then
    have "$QEMU" || missing="$missing qemu-system-x86"
fi
have timeout || missing="$missing coreutils"
if [ -n "$missing" ]; then
    echo "missing tools; install with:  apt-get install$missing" >&2
    exit 1
fi

CFLAGS="-m32 -march=i686 -O2 -ffreestanding -fno-builtin -nostdlib \
 -mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 -mno-80387 -msoft-float \
 -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
 -fcf-protection=none -Wall -Iruntime"
# The floating-point images are compiled for the x87 FPU (no MMX/SSE).
FP_C_IMAGES="nbody mandelbrot dmatmul"
FP_CFLAGS="-m32 -march=i686 -O2 -ffreestanding -fno-builtin -nostdlib \
 -mfpmath=387 -mno-mmx -mno-sse -mno-sse2 -fno-math-errno \
 -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
 -fcf-protection=none -Wall -Iruntime"
is_fp() { case " $FP_C_IMAGES " in *" ${1%-small} "*) return 0 ;; *) return 1 ;; esac; }
case "$LD" in
    *lld*) LDFLAGS="-m elf_i386 --build-id=none -z noexecstack -T runtime/link.ld" ;;
    *) LDFLAGS="-m elf_i386 --build-id=none -z noexecstack --no-warn-rwx-segments -T runtime/link.ld" ;;
esac

echo "tools: $(nasm -v | head -1); $($CC --version | head -1); $($LD --version | head -1)"
probe=build/probe.c
mkdir -p build/obj build/host bin expected
echo 'int probe(int x) { return x * 3; }' > $probe
if ! $CC $CFLAGS -c $probe -o build/probe.o 2>/dev/null; then
    echo "$CC cannot build 32-bit code; install with:  apt-get install gcc-multilib (or clang)" >&2
    exit 1
fi

# -------------------------------------------------------------- building
ASM_IMAGES=$(cd asm && ls *.asm | sed 's/\.asm$//')
C_IMAGES=$(cd c && ls *.c | sed 's/\.c$//')
SMALL_IMAGES=$(for n in $C_IMAGES; do echo "$n-small"; done)
IMAGES="$ASM_IMAGES $C_IMAGES $SMALL_IMAGES"

echo "assembling runtime"
for f in multiboot serial lib linux; do
    nasm -f elf32 -Iruntime/ runtime/$f.asm -o build/obj/rt-$f.o
done
RT="build/obj/rt-multiboot.o build/obj/rt-serial.o build/obj/rt-lib.o"
RT_HOST="build/obj/rt-linux.o build/obj/rt-lib.o"

for n in $ASM_IMAGES; do
    echo "nasm  asm/$n.asm"
    nasm -f elf32 -Iruntime/ -Iasm/ asm/$n.asm -o build/obj/$n.o
done
for n in $C_IMAGES; do
    flags=$CFLAGS
    if is_fp $n; then flags=$FP_CFLAGS; fi
    echo "$CC c/$n.c"
    $CC $flags -c c/$n.c -o build/obj/$n.o
    echo "$CC -DSMALL c/$n.c"
    $CC $flags -DSMALL -c c/$n.c -o build/obj/$n-small.o
done
for n in $IMAGES; do
    $LD $LDFLAGS $RT build/obj/$n.o -o bin/$n.elf
done

# Only general-purpose integer instructions may appear (no x87/MMX/SSE, no
# cpuid/rdtsc, no segment/descriptor-table loads, no sti); the FP images may
# also use the x87 FPU.
echo "scanning for forbidden instructions"
bad=0
for n in $IMAGES; do
    x87=0
    if is_fp $n; then x87=1; fi
    hits=$(objdump -d -M intel --no-show-raw-insn bin/$n.elf | awk -F'\t' -v x87=$x87 '
        NF >= 2 && $1 ~ /^ *[0-9a-f]+:$/ {
            split($2, w, " "); m = w[1]; ops = substr($2, length(m) + 1)
            if ((m ~ /^f/ && !(x87 && m != "femms")) || m ~ /^(cpuid|rdtsc|rdtscp|sti|lgdt|lidt|lldt|ltr|emms|[lsm]fence|clflush|prefetch)/ ||
                ops ~ /x?mm[0-9]/ || (m == "mov" && ops ~ /^ *[cdefgs]s,/) || m ~ /^(pop|push)$/ && ops ~ /^ *[cdefgs]s$/)
                print "  " $0
        }')
    if [ -n "$hits" ]; then
        echo "bin/$n.elf contains forbidden instructions:"; echo "$hits"; bad=1
    fi
done
[ $bad = 0 ] || exit 1

echo "images:"
for n in $IMAGES; do
    printf '  %-18s %7d bytes\n' "$n.elf" "$(wc -c < bin/$n.elf)"
done

# The QEMU and host runs cover every image, or only those named on the command line.
if [ -n "$ONLY" ]; then
    for n in $ONLY; do
        [ -f "bin/$n.elf" ] || { echo "no such image: $n (see bin/)" >&2; exit 2; }
    done
    IMAGES=$ONLY
fi

# ------------------------------------------------------------ QEMU runs
run_qemu() { # image, stdout file -> sets STATUS and SECS
    t0=$(date +%s.%N)
    set +e
    timeout "$TIMEOUT" "$QEMU" -kernel "bin/$1.elf" -serial stdio -display none \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot </dev/null >"$2" 2>build/qemu-stderr.txt
    STATUS=$?
    set -e
    t1=$(date +%s.%N)
    SECS=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
}

if [ $RECORD = 1 ]; then
    echo "recording expected outputs with $("$QEMU" --version | head -1)"
    "$QEMU" --version | head -1 > expected/qemu-version.txt
    for n in $IMAGES; do
        run_qemu $n build/$n.out
        if [ $STATUS = 124 ]; then
            echo "  $n: TIMEOUT after ${TIMEOUT}s -- not recorded" >&2; exit 1
        fi
        cp build/$n.out expected/$n.out
        echo $STATUS > expected/$n.status
        printf '  %-16s status %-3s %6d bytes out  %ss\n' "$n" "$STATUS" "$(wc -c < build/$n.out)" "$SECS"
    done
fi

if [ $CHECK = 1 ]; then
    echo "checking against expected/ under $("$QEMU" --version | head -1)"
    fails=0
    for n in $IMAGES; do
        run_qemu $n build/$n.out
        if cmp -s build/$n.out expected/$n.out && [ "$STATUS" = "$(cat expected/$n.status)" ]; then
            printf '  %-16s PASS  %ss\n' "$n" "$SECS"
        else
            printf '  %-16s FAIL  status %s (expected %s); diff build/%s.out expected/%s.out\n' \
                "$n" "$STATUS" "$(cat expected/$n.status 2>/dev/null)" "$n" "$n"
            fails=$((fails + 1))
        fi
    done
    [ $fails = 0 ] || { echo "$fails image(s) failed"; exit 1; }
fi

if [ $HOSTBUILD = 1 ]; then
    echo "host build: same objects linked as Linux i386 programs in build/host/"
    for n in $IMAGES; do
        $LD $LDFLAGS -e _start build/obj/$n.o $RT_HOST -o build/host/$n
    done
fi

if [ $HOSTCHECK = 1 ]; then
    echo "host check: same objects linked as Linux i386 programs, run on this CPU"
    fails=0
    for n in $IMAGES; do
        $LD $LDFLAGS -e _start build/obj/$n.o $RT_HOST -o build/host/$n
        set +e
        timeout "$TIMEOUT" build/host/$n > build/host/$n.out
        rc=$?
        set -e
        want=$(cat expected/$n.status 2>/dev/null || echo '?')
        if cmp -s build/host/$n.out expected/$n.out && [ "$((rc * 2 + 1))" = "$want" ]; then
            printf '  %-16s same as QEMU\n' "$n"
        else
            printf '  %-16s DIFFERS (exit %s, QEMU status %s); diff build/host/%s.out expected/%s.out\n' \
                "$n" "$rc" "$want" "$n" "$n"
            fails=$((fails + 1))
        fi
    done
    [ $fails = 0 ] || { echo "$fails image(s) differ"; exit 1; }
fi
echo "done"
