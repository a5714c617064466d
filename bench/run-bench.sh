#!/usr/bin/env bash
# Benchmark the CPU-bound guest suite under each Transmeta backend, under
# qemu-system-i386 (TCG) and natively, side by side, and write bench/results.md.
# See bench/README.md.
#
#   bench/run-bench.sh [options] [IMAGE...]
#
#   IMAGE...            images to run (default: tests/guest-images/suite.txt)
#   --runs N            runs per image for QEMU, native and each backend but
#                       the interpreter (default 5)
#   --interp-runs N     runs per image for the interpreter (default 1: it is
#                       10-50x slower; 0 skips it)
#   --backends "A B"    Transmeta backends (default "il interp"; any of interp
#                       il llvm tiered)
#   --no-qemu           skip QEMU
#   --no-native         skip the native (Linux i386 host program) column
#   --no-build          do not rebuild the runner (use the existing Release build)
#   --timeout S         seconds per run before it is killed (default 900)
#   --out FILE          markdown report (default bench/results.md; raw runs go
#                       to the same name with .tsv)
#
# Every run's serial output and exit status are compared with
# tests/guest-images/expected/; a run with a wrong answer is marked and left
# out of the medians. Runs are sequential (one guest at a time) and
# interleaved round by round, so slow drift in machine load spreads over all
# engines instead of hitting one of them.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
INVOCATION="bench/run-bench.sh${*:+ $*}"

RUNS=5 INTERP_RUNS=1 BACKENDS="il interp" QEMU_ON=1 NATIVE_ON=1 BUILD=1 TIMEOUT=900
OUT=bench/results.md
IMAGES=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift ;;
        --interp-runs) INTERP_RUNS=$2; shift ;;
        --backends) BACKENDS=$2; shift ;;
        --no-qemu) QEMU_ON=0 ;;
        --no-native) NATIVE_ON=0 ;;
        --no-build) BUILD=0 ;;
        --timeout) TIMEOUT=$2; shift ;;
        --out) OUT=$2; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        -*) echo "run-bench: unknown option $1 (try --help)" >&2; exit 2 ;;
        *) IMAGES+=("${1%.elf}") ;;
    esac
    shift
done
for v in "$RUNS" "$INTERP_RUNS" "$TIMEOUT"; do
    case "$v" in ''|*[!0-9]*) echo "run-bench: not a number: $v" >&2; exit 2 ;; esac
done
[ "$RUNS" -ge 1 ] || { echo "run-bench: --runs must be at least 1" >&2; exit 2; }

GI=tests/guest-images
if [ ${#IMAGES[@]} = 0 ]; then
    mapfile -t IMAGES < <(grep -v '^\s*\(#\|$\)' $GI/suite.txt)
fi
for n in "${IMAGES[@]}"; do
    [ -f $GI/bin/$n.elf ] && [ -f $GI/expected/$n.out ] && [ -f $GI/expected/$n.status ] ||
        { echo "run-bench: $n: need $GI/bin/$n.elf and $GI/expected/$n.{out,status}" >&2; exit 2; }
done

QEMU=${QEMU:-qemu-system-i386}
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/transmeta-bench.XXXXXX")
KEEP_WORK=0   # set when a run gives a wrong answer: its output is kept for a look
trap '[ $KEEP_WORK = 1 ] && echo "run-bench: kept $WORK" >&2 || rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- runner
if [ $BUILD = 1 ]; then
    say "building the runner: dotnet build -c Release src/Runner"
    if ! dotnet build -c Release src/Runner >"$WORK/build.log" 2>&1; then
        tail -30 "$WORK/build.log" >&2
        echo "run-bench: build failed (log above)" >&2
        exit 1
    fi
fi
[ -f src/Runner/bin/Release/net10.0/transmeta.dll ] ||
    { echo "run-bench: src/Runner/bin/Release/net10.0/transmeta.dll missing (drop --no-build)" >&2; exit 1; }
# Run from a private copy, so a build started by someone else during the
# benchmark cannot swap the assemblies under it.
cp -r src/Runner/bin/Release/net10.0 "$WORK/runner"
RUNNER="$WORK/runner/transmeta.dll"
REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src 2>/dev/null)" ]; then REV="$REV + uncommitted changes in src/"; fi

# ---------------------------------------------------------------- native
NATIVE_NOTE=""
if [ $NATIVE_ON = 1 ]; then
    say "building the native (Linux i386) programs: $GI/build.sh --host-build in a scratch copy"
    mkdir -p "$WORK/gi"
    cp -r $GI/build.sh $GI/runtime $GI/asm $GI/c $GI/expected "$WORK/gi/"
    if (cd "$WORK/gi" && ./build.sh --host-build "${IMAGES[@]}" >"$WORK/host-build.log" 2>&1) &&
        "$WORK/gi/build/host/${IMAGES[0]}" >/dev/null 2>&1; then
        NATIVE="$WORK/gi/build/host"
    else
        NATIVE_ON=0
        NATIVE_NOTE="native column skipped: the host programs could not be built or run (see $GI/build.sh --host-check)"
        say "$NATIVE_NOTE"; tail -5 "$WORK/host-build.log" >&2 || true
    fi
fi
if [ $QEMU_ON = 1 ] && ! command -v "$QEMU" >/dev/null; then
    QEMU_ON=0; say "no $QEMU: QEMU column skipped (apt-get install qemu-system-x86)"
fi

# ---------------------------------------------------------------- runs
# raw results: image engine run seconds ok guest_insns vm_seconds translate_ms
# compile_ms block_compile_ms native_bytes_per_insn guest_thread_compile_ms
RAW="$WORK/raw.tsv"
printf 'image\tengine\trun\tseconds\tok\tguest_insns\tvm_seconds\ttranslate_ms\tcompile_ms\tblock_compile_ms\tnative_b_insn\texec_cpu_s\n' >"$RAW"
now() { date +%s.%N; }
stat_field() { # file label -> first number after the label, commas removed
    sed -n "s/^$2  *\([0-9][0-9,.]*\).*/\1/p" "$1" | head -1 | tr -d ,
}

run_one() { # image engine run
    local n=$1 e=$2 r=$3 out="$WORK/out" err="$WORK/err" t0 t1 rc ok want
    local insns=- vm=- tr=- co=- bc=- nb=- ec=- status
    want=$(cat $GI/expected/$n.status)
    t0=$(now)
    set +e
    case "$e" in
        qemu) timeout "$TIMEOUT" "$QEMU" -kernel $GI/bin/$n.elf -serial stdio -display none \
                -device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot </dev/null >"$out" 2>"$err" ;;
        native) timeout "$TIMEOUT" "$NATIVE/$n" </dev/null >"$out" 2>"$err" ;;
        *) timeout "$TIMEOUT" dotnet "$RUNNER" run $GI/bin/$n.elf --backend "$e" --stats \
                </dev/null >"$out" 2>"$err" ;;
    esac
    rc=$?
    set -e
    t1=$(now)
    # A Linux host program exits with main's return value; the VMs with (v << 1) | 1.
    if [ "$e" = native ]; then status=$((rc * 2 + 1)); else status=$rc; fi
    if [ $rc = 124 ]; then ok=timeout
    elif cmp -s "$out" $GI/expected/$n.out && [ "$status" = "$want" ]; then ok=ok
    else ok=wrong; cp "$out" "$WORK/$n.$e.$r.out"; cp "$err" "$WORK/$n.$e.$r.err"; KEEP_WORK=1
    fi
    case "$e" in qemu|native) ;; *)
        insns=$(stat_field "$err" "guest instructions"); vm=$(stat_field "$err" "wall time")
        tr=$(stat_field "$err" "translate time"); co=$(stat_field "$err" "compile time")
        nb=$(stat_field "$err" "native code")
        # Median compile time per unit: the backend's, or with tiers the top tier's (the
        # last tier line that compiled something). Execution CPU: the guest thread's CPU time
        # less its translating and compiling (not inflated by other processes).
        bc=$(sed -n 's/^compile per block  *\([0-9.]*\) ms median.*/\1/p' "$err" | head -1)
        if grep -q '^tier ' "$err"; then
            bc=$(awk '/^tier [a-z]/ && $3 != "0" { match($0, /\( *[0-9.]+ ms median/); if (RSTART) { v = substr($0, RSTART + 1); sub(/ ms.*/, "", v); gsub(/ /, "", v); m = v } } END { print m }' "$err")
        fi
        ec=$(stat_field "$err" "execution CPU")
        : "${insns:=-}" "${vm:=-}" "${tr:=-}" "${co:=-}" "${bc:=-}" "${nb:=-}" "${ec:=-}" ;;
    esac
    local secs; secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$e" "$r" "$secs" "$ok" "$insns" "$vm" "$tr" "$co" "$bc" "$nb" "$ec" >>"$RAW"
    local msg="$n $e #$r: ${secs}s $ok"
    [ "$ok" = ok ] || msg="$msg (exit status $status, expected $want; output kept in $WORK/$n.$e.$r.out)"
    say "  $msg"
    if [ "$ok" = wrong ]; then
        diff <(head -c 2000 "$out") <(head -c 2000 $GI/expected/$n.out) | head -8 >&2 || true
    fi
}

# The IL units' native code size comes from a snapshot of the runtime's code map, which costs
# about 0.1 s after the guest ends: one more run per image and engine that has IL units measures
# it (--code-size), untimed, so that the timed runs measure the guest and not the statistics.
size_one() { # image engine
    local n=$1 e=$2 err="$WORK/size.err" nb
    timeout "$TIMEOUT" dotnet "$RUNNER" run $GI/bin/$n.elf --backend "$e" --stats --code-size \
        </dev/null >/dev/null 2>"$err" || true
    nb=$(stat_field "$err" "native code")
    printf '%s\t%s\tsize\t-\tsize\t-\t-\t-\t-\t-\t%s\t-\n' "$n" "$e" "${nb:--}" >>"$RAW"
}

ENGINES=()
[ $NATIVE_ON = 1 ] && ENGINES+=(native)
[ $QEMU_ON = 1 ] && ENGINES+=(qemu)
for b in $BACKENDS; do ENGINES+=("$b"); done
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
say "running ${#IMAGES[@]} image(s) x (${ENGINES[*]}): $RUNS run(s) each, interp $INTERP_RUNS; load average $LOAD_START"
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
for n in "${IMAGES[@]}"; do
    say "$n"
    for ((r = 1; r <= RUNS || r <= INTERP_RUNS; r++)); do
        for e in "${ENGINES[@]}"; do
            if [ "$e" = interp ]; then [ $r -le "$INTERP_RUNS" ] || continue
            else [ $r -le "$RUNS" ] || continue; fi
            run_one "$n" "$e" "$r"
        done
    done
    for e in "${ENGINES[@]}"; do
        case "$e" in il|tiered) size_one "$n" "$e" ;; esac
    done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
mkdir -p "$(dirname "$OUT")"
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
QV=$([ $QEMU_ON = 1 ] && "$QEMU" --version | head -1 || echo "not run")
{
    echo "# Transmeta benchmark: CPU-bound guest suite"
    echo
    echo "Produced by \`$INVOCATION\` (from the repository root) on $STARTED."
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| machine | $(nproc) CPUs, $CPU |"
    echo "| kernel | $(uname -sr) |"
    echo "| load average (1/5/15 min) | $LOAD_START at start, $LOAD_END at end |"
    echo "| QEMU | $QV (TCG) |"
    echo "| .NET SDK | $(dotnet --version) |"
    echo "| Transmeta | $REV |"
    echo "| runs | $RUNS per image for native, QEMU and every backend but the interpreter; $INTERP_RUNS for the interpreter |"
    [ -n "$NATIVE_NOTE" ] && echo "| note | $NATIVE_NOTE |"
    echo
    awk -F'\t' -v engines="${ENGINES[*]}" -f bench/report.awk "$RAW"
} >"$OUT"
cp "$RAW" "${OUT%.md}.tsv"
say "wrote $OUT and ${OUT%.md}.tsv"
if awk -F'\t' 'NR > 1 && $5 != "ok" && $5 != "size" { bad = 1 } END { exit !bad }' "$RAW"; then
    say "some runs gave a wrong answer or timed out: see the report"
    exit 1
fi
