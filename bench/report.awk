# Turns the raw runs of bench/run-bench.sh (TSV: image engine run seconds ok
# guest_insns vm_seconds translate_ms compile_ms block_compile_ms native_b_insn
# exec_cpu_s) into the markdown tables of
# bench/results.md. Usage: awk -F'\t' -v engines="native qemu interp il" -f report.awk RAW
function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    if (n == 0) return ""
    for (i = 2; i <= n; i++) {
        t = a[i] + 0
        for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
        a[j + 1] = t
    }
    return n % 2 ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}
function minmax(list, want_max,    n, a, i, m) {
    n = split(list, a, " ")
    m = a[1] + 0
    for (i = 2; i <= n; i++) if (want_max ? a[i] + 0 > m : a[i] + 0 < m) m = a[i] + 0
    return m
}
function name(e) {
    if (e == "qemu") return "QEMU (TCG)"
    if (e == "native") return "native"
    if (e == "il") return "Transmeta IL"
    if (e == "interp") return "Transmeta interp"
    return "Transmeta " e
}
function short(e) {
    if (e == "qemu") return "QEMU"
    if (e == "il") return "IL"
    return e
}
function ours(e) { return e != "qemu" && e != "native" }
function commas(x,    s, r) {
    s = sprintf("%.0f", x); r = ""
    while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
    return s r
}
function f2(x) { return x == "" ? "—" : sprintf("%.2f", x) }
function f3(x) { return x == "" ? "—" : sprintf("%.3f", x) }
function f1(x) { return x == "" ? "—" : sprintf("%.1f", x) }
function ratio(x) { return x == "" ? "—" : sprintf("%.2f×", x) }
# geometric-mean accumulators, keyed by column
function gadd(col, x) { if (x != "" && x > 0) { gsum[col] += log(x); gcnt[col]++ } }
function gmean(col) { return gcnt[col] ? exp(gsum[col] / gcnt[col]) : "" }
function gnote(col) { return gcnt[col] && gcnt[col] < nimg ? sprintf(" (%d of %d)", gcnt[col], nimg) : "" }

NR == 1 { next }
{
    img = $1; e = $2
    if (!(img in seen)) { seen[img] = 1; order[++nimg] = img }
    key = img SUBSEP e
    if ($5 == "size") { # the untimed run that measured the IL units' code size
        if ($11 != "-" && $11 != "") nb[key] = nb[key] " " $11
        next
    }
    total[key]++
    if ($5 == "ok") {
        okn[key]++
        secs[key] = secs[key] " " $4
        if ($7 != "-") vm[key] = vm[key] " " $7
        if ($8 != "-") tr[key] = tr[key] " " $8
        if ($9 != "-") co[key] = co[key] " " $9
        if ($10 != "-" && $10 != "") bc[key] = bc[key] " " $10
        if ($11 != "-" && $11 != "") nb[key] = nb[key] " " $11
        if ($12 != "-" && $12 != "") ex[key] = ex[key] " " $12
    } else bad[key] = bad[key] (bad[key] ? ", " : "") "#" $3 " " $5
    if ($6 != "-" && $6 != "") {
        if (!(img in insns)) insns[img] = $6
        else if (insns[img] != $6) insn_mismatch[img] = insn_mismatch[img] " " e ":" $6
    }
}
END {
    ne = split(engines, E, " ")
    for (i = 1; i <= nimg; i++) {
        img = order[i]
        for (k = 1; k <= ne; k++) {
            key = img SUBSEP E[k]
            T[key] = okn[key] ? median(secs[key]) : ""
        }
    }

    # ---- summary: one row per image, geometric means at the bottom
    print "## Summary"
    print ""
    print "Median wall time of the whole process in seconds (guest start to exit, host"
    print "startup included), over the runs whose output matched `expected/`."
    print "MIPS = the guest's instruction count (from `--stats`) / that time.  "
    print "**IL ÷ interp** = interpreter time / IL time.  **vs QEMU** = QEMU time / our time"
    print "(above 1 = faster than QEMU)."
    print ""
    hdr = "| image | guest instructions"; sep = "|---|---:"
    for (k = 1; k <= ne; k++) { hdr = hdr " | " short(E[k]) " s"; sep = sep "|---:" }
    for (k = 1; k <= ne; k++) if (E[k] != "native") { hdr = hdr " | " short(E[k]) " MIPS"; sep = sep "|---:" }
    hasil = index(" " engines " ", " il ") > 0; hasint = index(" " engines " ", " interp ") > 0
    hasq = index(" " engines " ", " qemu ") > 0
    if (hasil && hasint) { hdr = hdr " | IL ÷ interp"; sep = sep "|---:" }
    if (hasq) for (k = 1; k <= ne; k++) if (ours(E[k])) { hdr = hdr " | " short(E[k]) " vs QEMU"; sep = sep "|---:" }
    print hdr " |"; print sep "|"
    for (i = 1; i <= nimg; i++) {
        img = order[i]; n = insns[img]
        row = "| " img " | " (n != "" ? commas(n) : "—")
        for (k = 1; k <= ne; k++) {
            t = T[img SUBSEP E[k]]
            row = row " | " (t != "" ? f3(t) : (total[img SUBSEP E[k]] ? "✗ wrong" : "—"))
            gadd("t" E[k], t)
        }
        for (k = 1; k <= ne; k++) if (E[k] != "native") {
            t = T[img SUBSEP E[k]]; m = (t != "" && n != "") ? n / t / 1e6 : ""
            row = row " | " f1(m); gadd("m" E[k], m)
        }
        if (hasil && hasint) {
            a = T[img SUBSEP "interp"]; b = T[img SUBSEP "il"]; x = (a != "" && b != "") ? a / b : ""
            row = row " | " ratio(x); gadd("sp", x)
        }
        if (hasq) for (k = 1; k <= ne; k++) if (ours(E[k])) {
            a = T[img SUBSEP "qemu"]; b = T[img SUBSEP E[k]]; x = (a != "" && b != "") ? a / b : ""
            row = row " | " ratio(x); gadd("q" E[k], x)
        }
        print row " |"
    }
    row = "| **geometric mean** | "
    for (k = 1; k <= ne; k++) row = row " | **" f3(gmean("t" E[k])) "**" gnote("t" E[k])
    for (k = 1; k <= ne; k++) if (E[k] != "native") row = row " | **" f1(gmean("m" E[k])) "**" gnote("m" E[k])
    if (hasil && hasint) row = row " | **" ratio(gmean("sp")) "**" gnote("sp")
    if (hasq) for (k = 1; k <= ne; k++) if (ours(E[k])) row = row " | **" ratio(gmean("q" E[k])) "**" gnote("q" E[k])
    print row " |"
    print ""

    # ---- the backends against each other
    hasll = index(" " engines " ", " llvm ") > 0; hast = index(" " engines " ", " tiered ") > 0
    if (hasll || hast) {
        print "## Backends compared"
        print ""
        print "**exec s**: median CPU time of the guest's thread less what it spent translating and"
        print "compiling (`--stats` line `execution CPU`; a background tier compiles on its own"
        print "thread), i.e. the time in generated code, helpers and the dispatcher: the steady"
        print "state, and not inflated when other processes compete for the CPU."
        print "**LLVM ÷ IL** = IL exec s / LLVM exec s.  **tiered vs best** = the better"
        print "whole-process median of IL and LLVM / tiered's (1.00 = as fast as the better one)."
        print "**ms/unit**: median compile time per compiled unit (for tiered, its top tier's).  "
        print "**B/insn**: native code bytes per guest instruction over the units cached at the end."
        print ""
        hdr = "| image"; sep = "|---"
        for (k = 1; k <= ne; k++) if (ours(E[k]) && E[k] != "interp") { hdr = hdr " | " short(E[k]) " exec s"; sep = sep "|---:" }
        if (hasil && hasll) { hdr = hdr " | LLVM ÷ IL"; sep = sep "|---:" }
        if (hast && (hasil || hasll)) { hdr = hdr " | tiered vs best"; sep = sep "|---:" }
        for (k = 1; k <= ne; k++) if (ours(E[k]) && E[k] != "interp") { hdr = hdr " | " short(E[k]) " ms/unit | " short(E[k]) " B/insn"; sep = sep "|---:|---:" }
        print hdr " |"; print sep "|"
        for (i = 1; i <= nimg; i++) {
            img = order[i]; row = "| " img
            for (k = 1; k <= ne; k++) if (ours(E[k]) && E[k] != "interp") {
                key = img SUBSEP E[k]; x = ex[key] != "" ? median(ex[key]) : ""
                X[key] = x; row = row " | " f3(x); gadd("x" E[k], x)
            }
            if (hasil && hasll) {
                a = X[img SUBSEP "il"]; b = X[img SUBSEP "llvm"]; x = (a != "" && b != "" && b > 0) ? a / b : ""
                row = row " | " ratio(x); gadd("li", x)
            }
            if (hast && (hasil || hasll)) {
                a = T[img SUBSEP "il"]; b = T[img SUBSEP "llvm"]; c = T[img SUBSEP "tiered"]
                best = (a != "" && (b == "" || a < b)) ? a : b
                x = (best != "" && c != "") ? best / c : ""
                row = row " | " ratio(x); gadd("tb", x)
            }
            for (k = 1; k <= ne; k++) if (ours(E[k]) && E[k] != "interp") {
                key = img SUBSEP E[k]
                row = row " | " (bc[key] != "" ? f2(median(bc[key])) : "—") " | " (nb[key] != "" ? f1(median(nb[key])) : "—")
            }
            print row " |"
        }
        row = "| **geometric mean**"
        for (k = 1; k <= ne; k++) if (ours(E[k]) && E[k] != "interp") row = row " | **" f3(gmean("x" E[k])) "**"
        if (hasil && hasll) row = row " | **" ratio(gmean("li")) "**" gnote("li")
        if (hast && (hasil || hasll)) row = row " | **" ratio(gmean("tb")) "**" gnote("tb")
        for (k = 1; k <= ne; k++) if (ours(E[k]) && E[k] != "interp") row = row " | | "
        print row " |"
        print ""
    }

    # ---- one table per image
    print "## Per image"
    print ""
    print "**ok runs**: runs whose output and exit status matched `expected/` (only those are"
    print "timed). **in-VM s**, **translate ms**, **compile ms**: medians of the `--stats` lines"
    print "`wall time` (guest execution only, no .NET startup), `translate time` and `compile time`."
    for (i = 1; i <= nimg; i++) {
        img = order[i]; n = insns[img]
        print ""
        print "### " img (n != "" ? " — " commas(n) " guest instructions" : "")
        if (img in insn_mismatch) print "\n**instruction counts differ between backends:**" insn_mismatch[img]
        print ""
        print "| engine | ok runs | median s | min s | max s | guest MIPS | vs QEMU | in-VM s | translate ms | compile ms |"
        print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for (k = 1; k <= ne; k++) {
            e = E[k]; key = img SUBSEP e
            if (!total[key]) continue
            t = T[key]; q = T[img SUBSEP "qemu"]
            row = "| " name(e) " | " okn[key] + 0 "/" total[key] (bad[key] != "" ? " (✗ " bad[key] ")" : "")
            if (t != "") row = row " | " f3(t) " | " f3(minmax(secs[key], 0)) " | " f3(minmax(secs[key], 1))
            else row = row " | ✗ | — | —"
            row = row " | " ((t != "" && n != "") ? f1(n / t / 1e6) (e == "native" ? "*" : "") : "—")
            row = row " | " ((t != "" && q != "") ? ratio(q / t) : "—")
            row = row " | " (vm[key] != "" ? sprintf("%.3f", median(vm[key])) : "—")
            row = row " | " (tr[key] != "" ? f1(median(tr[key])) : "—")
            row = row " | " (co[key] != "" ? f1(median(co[key])) : "—")
            print row " |"
        }
    }
    print ""
    print "\\* native MIPS uses the guest's instruction count; the host program runs the same"
    print "compiled C code, but its startup and console output (Linux syscalls instead of"
    print "port I/O) differ slightly."
}
