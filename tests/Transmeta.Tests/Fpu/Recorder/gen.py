#!/usr/bin/env python3
"""Generates x87 test cases and records their outcome on this host's FPU.

    ./build.sh                       # builds /tmp/x87rec
    python3 gen.py                   # writes ../Data/*.txt (inputs => hardware outputs)
    python3 gen.py --count 20000 --seed 7 --out /tmp/big   # a larger fuzz set

Each data line is the recorder's input line, " => ", and what the hardware left (see
x87rec.c). The C# tests (../X87HardwareTests.cs) run every line on every backend.
"""
import argparse, os, random, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from x87asm import asm_many

DATA = 0x20000
OUT = 0x20010

def f80(sign, exp, sig):
    return f"{(sign << 15) | exp:04x}{sig:016x}"

def rsig():
    return random.getrandbits(63) | (1 << 63)

def short_sig(bits):
    """A significand with only `bits` significant bits (exact results happen)."""
    return ((random.getrandbits(bits - 1) | (1 << (bits - 1))) << (64 - bits)) & ((1 << 64) - 1)

def boundary_sig():
    """Significands just around the 24/53/64-bit rounding points."""
    keep = random.choice([24, 53, 64])
    base = short_sig(keep)
    if keep == 64:
        return base
    tail_bits = 64 - keep
    half = 1 << (tail_bits - 1)
    tail = random.choice([half, half - 1, half + 1, 1, (1 << tail_bits) - 1, 0, random.getrandbits(tail_bits)])
    return base | tail

def rval(expcenter=None):
    r = random.random()
    s = random.getrandbits(1)
    if r < 0.30:
        e = expcenter if expcenter is not None else 0x3FFF + random.randint(-40, 40)
        e = max(1, min(0x7FFE, e + random.randint(-3, 3)))
        return f80(s, e, rsig())
    if r < 0.42:
        e = 0x3FFF + random.randint(-70, 70) if expcenter is None else expcenter + random.randint(-2, 2)
        e = max(1, min(0x7FFE, e))
        return f80(s, e, short_sig(random.choice([1, 2, 5, 12, 24, 30, 53])))
    if r < 0.52:
        e = 0x3FFF + random.randint(-10, 10) if expcenter is None else max(1, min(0x7FFE, expcenter))
        return f80(s, e, boundary_sig())
    if r < 0.57:
        return f80(s, random.choice([1, 2, 3, 60, 0x7FFE, 0x7FFD, 0x7FF0]), rsig())  # extremes
    if r < 0.62:
        return f80(s, 0, random.getrandbits(random.choice([1, 10, 40, 63])) | 1)     # denormal
    if r < 0.63:
        return f80(s, 0, rsig())                                                     # pseudo-denormal
    if r < 0.67:
        return f80(s, 0, 0)
    if r < 0.71:
        return f80(s, 0x7FFF, 1 << 63)
    if r < 0.75:
        return f80(s, 0x7FFF, (3 << 62) | random.getrandbits(random.choice([0, 8, 61])))  # QNaN
    if r < 0.79:
        return f80(s, 0x7FFF, (1 << 63) | (random.getrandbits(61) | 1))                   # SNaN
    if r < 0.81:
        return f80(s, random.randint(1, 0x7FFF), random.getrandbits(62))                  # unsupported
    # around the single/double ranges (overflow/underflow on conversion)
    e = 0x3FFF + random.choice([127, 128, -126, -127, -149, -150, 1023, 1024, -1022, -1023, -1074, -1075]) + random.randint(-2, 2)
    return f80(s, e, random.choice([rsig(), boundary_sig(), short_sig(2)]))

def rcw(unmask=False):
    pc = random.choice([0, 2, 3, 3, 1])
    rc = random.randint(0, 3)
    masks = 0x3F
    if unmask:
        masks = random.choice([0, random.getrandbits(6), 0x3F & ~random.choice([1, 2, 4, 8, 16, 32])])
    return masks | 0x40 | pc << 8 | rc << 10

def f32bits():
    r = random.random()
    s = random.getrandbits(1) << 31
    if r < 0.6: return s | random.randint(1, 254) << 23 | random.getrandbits(23)
    if r < 0.7: return s | random.getrandbits(23) | 1                   # denormal
    if r < 0.75: return s
    if r < 0.8: return s | 0xFF << 23
    if r < 0.9: return s | 0xFF << 23 | random.getrandbits(23) | 1        # NaN
    return s | random.choice([1, 254, 127]) << 23 | random.getrandbits(23)

def f64bits():
    r = random.random()
    s = random.getrandbits(1) << 63
    if r < 0.6: return s | random.randint(1, 2046) << 52 | random.getrandbits(52)
    if r < 0.7: return s | random.getrandbits(52) | 1
    if r < 0.75: return s
    if r < 0.8: return s | 0x7FF << 52
    if r < 0.9: return s | 0x7FF << 52 | random.getrandbits(52) | 1
    return s | random.choice([1, 2046, 1023]) << 52 | random.getrandbits(52)

def le(v, n):
    return v.to_bytes(n, "little").hex()

def mem_for(kind):
    if kind == "dword": return le(f32bits(), 4)
    if kind == "qword": return le(f64bits(), 8)
    if kind == "word_i": return le(random.choice([random.getrandbits(16), 0, 0x8000, 0x7FFF, 1, 0xFFFF]), 2)
    if kind == "dword_i": return le(random.choice([random.getrandbits(32), 0, 0x80000000, 0x7FFFFFFF, 1, 0xFFFFFFFF, random.getrandbits(10)]), 4)
    if kind == "qword_i": return le(random.choice([random.getrandbits(64), 0, 1 << 63, (1 << 63) - 1, random.getrandbits(20), (1 << 64) - 1]), 8)
    if kind == "tword":
        v = rval()
        return le(int(v[4:], 16), 8) + le(int(v[:4], 16), 2)
    if kind == "bcd":
        digits = random.randint(0, 10 ** random.randint(1, 18) - 1)
        b = 0
        for i in range(18):
            b |= (digits % 10) << (4 * i)
            digits //= 10
        return le(b, 9) + ("80" if random.getrandbits(1) else "00")
    raise ValueError(kind)

ARITH = ["fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr"]

def arith_case():
    op = random.choice(ARITH)
    r = random.random()
    a = rval()
    # the second operand near the first's exponent half of the time (cancellation, close quotients)
    e = int(a[:4], 16) & 0x7FFF
    b = rval(e if random.random() < 0.5 and 0 < e < 0x7FFF else None)
    if r < 0.45:
        return f"{op} st0, st1", f"st={a},{b}", None
    if r < 0.6:
        return f"{op} st1, st0", f"st={a},{b}", None
    if r < 0.7:
        return f"{op}p st1, st0", f"st={a},{b}", None
    kind = random.choice(["dword", "qword", "word_i", "dword_i"])
    if kind.endswith("_i"):
        ins = f"fi{op[1:]} {kind[:-2]} [0x{DATA:x}]"
    else:
        ins = f"{op} {kind} [0x{DATA:x}]"
    return ins, f"st={a}", mem_for(kind)

def unary_case():
    a = rval()
    op = random.choice(["fsqrt", "fsqrt", "frndint", "fchs", "fabs", "fxam", "ftst"])
    return op, f"st={a}", None

def compare_case():
    a = rval()
    e = int(a[:4], 16) & 0x7FFF
    b = a if random.random() < 0.15 else rval(e if 0 < e < 0x7FFF and random.random() < 0.5 else None)
    op = random.choice(["fcom st1", "fcomp st1", "fcompp", "fucom st1", "fucomp st1", "fucompp",
                        "fcomi st0, st1", "fcomip st0, st1", "fucomi st0, st1", "fucomip st0, st1"])
    if random.random() < 0.25:
        kind = random.choice(["dword", "qword", "word_i", "dword_i"])
        pre = "fi" if kind.endswith("_i") else "f"
        op = f"{pre}{random.choice(['com', 'comp'])} {kind.replace('_i', '')} [0x{DATA:x}]"
        return op, f"st={a}", mem_for(kind)
    return op, f"st={a},{b}", None

def store_case():
    a = rval()
    op = random.choice(["fst dword", "fstp dword", "fst qword", "fstp qword", "fstp tword",
                        "fist word", "fistp word", "fist dword", "fistp dword", "fistp qword", "fbstp tword"])
    if op.startswith("fist") or op.startswith("fbstp"):
        # integers: mostly in or near the representable range
        e = 0x3FFF + random.choice([random.randint(-3, 14), random.randint(13, 17), random.randint(28, 33),
                                    random.randint(58, 65), random.randint(-70, 70)])
        if random.random() < 0.8:
            a = f80(random.getrandbits(1), e, random.choice([rsig(), short_sig(random.randint(1, 64)), boundary_sig()]))
    return f"{op} [0x{OUT:x}]", f"st={a}", None

def load_case():
    kind = random.choice(["dword", "qword", "tword", "word_i", "dword_i", "qword_i", "bcd"])
    if kind == "bcd":
        op = f"fbld tword [0x{DATA:x}]"
    elif kind.endswith("_i"):
        op = f"fild {kind[:-2]} [0x{DATA:x}]"
    else:
        op = f"fld {kind} [0x{DATA:x}]"
    depth = random.choice([0, 1, 1, 2, 8])
    st = ",".join(rval() for _ in range(depth))
    return op, (f"st={st}" if depth else ""), mem_for(kind)

def scale_case():
    op = random.choice(["fscale", "fxtract", "fprem", "fprem1", "fprem", "fprem1"])
    a = rval()
    if op == "fscale":
        b = f80(random.getrandbits(1), 0x3FFF + random.randint(-2, 16), rsig()) if random.random() < 0.8 else rval()
    elif op.startswith("fprem"):
        e = int(a[:4], 16) & 0x7FFF
        b = rval(max(1, min(0x7FFE, e - random.randint(-3, 100)))) if 0 < e < 0x7FFF else rval()
    else:
        b = rval()
    return op, f"st={a},{b}", None

def sequence_case():
    """Short programs: what gcc's x87 code does."""
    x, y = f64bits(), f64bits()
    mem = le(x, 8) + le(y, 8)
    prog = random.choice([
        "fld qword [0x20000]; fmul qword [0x20008]; fstp qword [0x20010]",
        "fld qword [0x20000]; fld qword [0x20008]; fxch st1; fsubrp st1, st0; fstp qword [0x20010]",
        "fld qword [0x20000]; fld st0; fmul st0, st1; fsqrt; faddp st1, st0; fstp qword [0x20010]",
        "fld qword [0x20000]; fld qword [0x20008]; fucomip st0, st1; fstp st0; setb al",
        "fild dword [0x20000]; fidiv dword [0x20004]; fistp qword [0x20010]",
        "fld qword [0x20000]; fnstcw [0x20018]; mov ax, [0x20018]; or ah, 0x0c; mov [0x2001a], ax; fldcw [0x2001a]; fistp dword [0x20010]; fldcw [0x20018]",
        "fld qword [0x20000]; fcomp qword [0x20008]; fnstsw ax; sahf; setp cl; seta dl",
        "fld1; fld qword [0x20000]; fprem; fstp tword [0x20010]; fstp st0",
        "fldpi; fld qword [0x20000]; fmulp st1, st0; fstp qword [0x20010]",
    ])
    return prog, "", mem

ONE = "3fff8000000000000000"
TWO = "40008000000000000000"
M_ONE = "bfff8000000000000000"
PI = "4000c90fdaa22168c235"
QNAN = "7fffc000000000000001"
SNAN = "7fffa000000000000000"
DEN = "00000000000000000001"
FULL8 = ",".join([ONE] * 8)

def edge_cases():
    """Hand-made cases for the rules the random ones rarely hit (fixed; not random)."""
    c = []
    def add(name, code, state="", mem=None, cw=0x037F, fl=0x202):
        c.append((name, code, state, mem, cw, fl))
    # constants under every rounding mode
    for rc in range(4):
        for k in ["fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz"]:
            add(f"{k}_rc{rc}", k, cw=0x037F | rc << 10)
            add(f"{k}_rc{rc}_neg", f"{k}; fchs", cw=0x037F | rc << 10)
    # stack overflow / underflow, masked and unmasked, for each kind of instruction
    for um in (False, True):
        cw = 0x037E if um else 0x037F
        t = "_um" if um else ""
        add(f"push_overflow{t}", "fld1", f"st={FULL8}", cw=cw)
        add(f"push_overflow_m64{t}", "fld qword [0x20000]", f"st={FULL8}", le(f64bits(), 8), cw=cw)
        add(f"fild_overflow{t}", "fild dword [0x20000]", f"st={FULL8}", "05000000", cw=cw)
        add(f"fld_sti_empty{t}", "fld st1", f"st={ONE},E", cw=cw)
        add(f"fadd_underflow{t}", "fadd st0, st1", f"st={ONE}", cw=cw)
        add(f"faddp_underflow{t}", "faddp st1, st0", f"st=E,{ONE}", cw=cw)
        add(f"fadd_mem_underflow{t}", "fadd qword [0x20000]", "", le(f64bits(), 8), cw=cw)
        add(f"fst_underflow{t}", "fst qword [0x20010]", "", cw=cw)
        add(f"fstp_underflow{t}", "fstp dword [0x20010]", "", cw=cw)
        add(f"fistp_underflow{t}", "fistp word [0x20010]", "", cw=cw)
        add(f"fbstp_underflow{t}", "fbstp tword [0x20010]", "", cw=cw)
        add(f"fstp80_underflow{t}", "fstp tword [0x20010]", "", cw=cw)
        add(f"fst_sti_underflow{t}", "fst st3", f"st=E,{ONE}", cw=cw)
        add(f"fstp_st0_underflow{t}", "fstp st0", "", cw=cw)
        add(f"fcom_underflow{t}", "fcom st1", f"st={ONE}", cw=cw)
        add(f"fcompp_underflow{t}", "fcompp", f"st={ONE}", cw=cw)
        add(f"fucomip_underflow{t}", "fucomip st0, st1", f"st={ONE}", cw=cw, fl=0x8D7)
        add(f"ftst_underflow{t}", "ftst", "", cw=cw)
        add(f"fchs_underflow{t}", "fchs", "", cw=cw)
        add(f"fsqrt_underflow{t}", "fsqrt", "", cw=cw)
        add(f"fxch_underflow{t}", "fxch st2", f"st={ONE},{TWO}", cw=cw)
        add(f"fxch_underflow2{t}", "fxch st1", f"st=E,{TWO}", cw=cw)
        add(f"fscale_underflow{t}", "fscale", f"st={ONE}", cw=cw)
        add(f"fprem_underflow{t}", "fprem", f"st={ONE}", cw=cw, )
        add(f"fpatan_underflow{t}", "fpatan", f"st={ONE}", cw=cw)
        add(f"fyl2x_underflow{t}", "fyl2x", f"st={ONE}", cw=cw)
        add(f"fxtract_underflow{t}", "fxtract", "", cw=cw)
        add(f"fxtract_overflow{t}", "fxtract", f"st={FULL8}", cw=cw)
        add(f"fsincos_overflow{t}", "fsincos", f"st={FULL8}", cw=cw)
        add(f"fptan_underflow{t}", "fptan", "", cw=cw)
        add(f"fcmov_underflow{t}", "fcmove st0, st1", f"st={ONE}", cw=cw, fl=0x246)
    # the pending exception (#MF) and the instructions that do or do not wait
    unmask_ze = "fldcw [0x20000]; fld1; fldz; fdivp st1, st0"
    mem_ze = le(0x037B, 2)
    for name, tail in [("fwait", "fwait"), ("fld1", "fld1"), ("fnop", "fnop"), ("fnstsw_ax", "fnstsw ax"),
                       ("fstsw_ax", "fstsw ax"), ("fnstcw", "fnstcw [0x20010]"), ("fnclex_fwait", "fnclex; fwait"),
                       ("fninit_fwait", "fninit; fwait"), ("fnstenv", "fnstenv [0x20010]"), ("fstenv", "fstenv [0x20010]"),
                       ("fnsave", "fnsave [0x20010]"), ("fxsave", "fxsave [0x20010]"), ("fldcw", "fldcw [0x20000]"),
                       ("fxch", "fxch st1"), ("fcomi", "fcomi st0, st1"), ("fstp_m64", "fstp qword [0x20010]"),
                       ("fild", "fild word [0x20000]"), ("fxrstor", "fxsave [0x20010]; fxrstor [0x20010]"),
                       ("frstor_wait", "fnsave [0x20010]; frstor [0x20010]; fwait"), ("fldenv", "fnstenv [0x20010]; fldenv [0x20010]"),
                       ("integer_between", "mov eax, 5; add eax, 7; fwait")]:
        add(f"pending_{name}", f"{unmask_ze}; {tail}", "", mem_ze + "00" * 14 + "00" * 0)
    add("pending_fldcw_unmask", "fld1; fldz; fdivp st1, st0; fldcw [0x20000]; fnstsw ax; fwait", "", mem_ze)
    add("pending_fldcw_mask_again", "fldcw [0x20000]; fld1; fldz; fdivp st1, st0; fldcw [0x20002]; fwait", "", mem_ze + le(0x037F, 2))
    add("pending_fldenv_status", "fldenv [0x20010]; fnstsw ax; fwait", "",
        "00" * 16 + le(0xFFFF037B, 4) + le(0xFFFF0004, 4) + le(0xFFFFFFFF, 4) + "00" * 16)
    add("pending_fldenv_status_es", "fldenv [0x20010]; fnstsw ax; fwait", "",
        "00" * 16 + le(0xFFFF037B, 4) + le(0xFFFF0084, 4) + le(0xFFFFFFFF, 4) + "00" * 16)
    add("pending_fldenv_es_masked", "fldenv [0x20010]; fnstsw ax; fwait", "",
        "00" * 16 + le(0xFFFF037F, 4) + le(0xFFFF0084, 4) + le(0xFFFFFFFF, 4) + "00" * 16)
    # unmasked exceptions of each kind: what is written, what is popped
    for nm, prog, st in [("ie_fsqrt", "fsqrt", M_ONE), ("ie_snan_add", "fadd st0, st1", f"{ONE},{SNAN}"),
                         ("de_add", "fadd st0, st1", f"{ONE},{DEN}"), ("ze_fdivp", "fdivp st1, st0", f"00000000000000000000,{ONE}"),
                         ("oe_fmul", "fmul st0, st0", "7ffe8000000000000000"), ("ue_fmul", "fmul st0, st0", "00018000000000000000"),
                         ("pe_fdiv", "fdivr st0, st1", f"40008000000000000000,{ONE}"), ("ue_fst", "fst dword [0x20010]", "3f008000000000000000"),
                         ("oe_fst", "fst dword [0x20010]", "40ff8000000000000000"), ("pe_fst", "fst dword [0x20010]", "3fffaaaaaaaaaaaaaaab"),
                         ("ue_exact_fdiv", "fdiv st0, st1", f"00018000000000000000,{TWO}"), ("ie_fist", "fistp word [0x20010]", "40208000000000000000"),
                         ("ie_fcomp", "fcomp st1", f"{ONE},{QNAN}"), ("ie_fucomp_snan", "fucomp st1", f"{ONE},{SNAN}")]:
        for masks in (0x00, 0x3F):
            add(f"unmasked_{nm}_{masks:02x}", prog, f"st={st}", cw=0x0340 | masks)
    # environment images
    st3 = f"st={ONE},E{PI},{QNAN},00000000000000000000,{DEN}"
    for pre in ["", "o16 "]:
        t = "16" if pre else "32"
        add(f"fnstenv{t}", f"fld qword [0x20030]; fadd st0, st0; {pre}fnstenv [0x20000]", st3, "00" * 48 + le(f64bits(), 8), cw=0x0A7B)
        add(f"fnsave{t}", f"fld qword [0x20000]; fmul st0, st1; {pre}fnsave [0x20000]; fld1", st3, le(f64bits(), 8), cw=0x0E7F)
        add(f"fldenv{t}", f"{pre}fnstenv [0x20000]; fninit; {pre}fldenv [0x20000]; fld1", st3, cw=0x0A7B)
        add(f"frstor{t}", f"fld1; {pre}fnsave [0x20000]; fld1; fldpi; {pre}frstor [0x20000]; fld st2", st3, cw=0x0E7F)
        add(f"fldenv_tags{t}", f"{pre}fnstenv [0x20000]; mov word [0x20000 + {8 if not pre else 4}], 0x0fff; {pre}fldenv [0x20000]; fxam", st3)
    add("fxsave", "fld qword [0x20040]; fld1; fxsave [0x20000 - 0x10000]; mov esi, 0x10000; mov edi, 0x20000; mov ecx, 32; rep movsb", st3, "00" * 64 + le(f64bits(), 8))
    add("fxsave_regs", "fxsave [0x10000]; mov esi, 0x10020; mov edi, 0x20000; mov ecx, 64; rep movsb", st3)
    add("fxrstor", "fxsave [0x10000]; fninit; fxrstor [0x10000]; fld1; fxam", st3)
    add("fxrstor_tags", "fxsave [0x10000]; mov byte [0x10004], 0x81; fxrstor [0x10000]; fxam; fincstp; fxam", st3)
    add("fxsave_misaligned", "fxsave [0x10008]", st3)
    # control word, status word, tags
    for v in [0x0000, 0xFFFF, 0x1F3F, 0xE0C0, 0x0C7F, 0x0040]:
        add(f"fldcw_{v:04x}", "fldcw [0x20000]; fnstcw [0x20010]; fstcw [0x20012]", "", le(v, 2))
    add("fnstsw_mem", "fnstsw [0x20010]; fstsw [0x20012]", f"st={ONE},{TWO}")
    add("fnstsw_ax_top", "fld1; fld1; fnstsw ax", "", fl=0x202)
    add("fninit_state", "fld1; fldcw [0x20000]; fninit; fnstenv [0x20010]", f"st={ONE}", le(0x0C00, 2))
    add("fnclex_state", "fld1; fldz; fdivp st1, st0; fsqrt; fnclex; fnstsw ax", f"st={M_ONE}")
    add("fincstp", "fincstp; fincstp; fxam", f"st={ONE},{TWO},E,{PI}")
    add("fdecstp", "fdecstp; fxam", f"st={ONE},{TWO}")
    add("ffree", "ffree st1; fxch st1", f"st={ONE},{TWO}")
    add("ffreep", "ffreep st2; fxam", f"st={ONE},{TWO},{PI}")
    add("fnop_fip", "fld1; fnop", f"st={ONE}")
    # fxam on every class, both signs
    for nm, v in [("zero", "00000000000000000000"), ("denormal", DEN), ("pseudo_denormal", "00008000000000000001"),
                  ("normal", ONE), ("inf", "7fff8000000000000000"), ("qnan", QNAN), ("snan", SNAN),
                  ("unnormal", "00014000000000000000"), ("pseudo_inf", "7fff0000000000000000"), ("pseudo_nan", "7fff4000000000000000")]:
        for sgn in (0, 1):
            vv = f"{int(v[:4], 16) | sgn << 15:04x}{v[4:]}"
            add(f"fxam_{nm}_{sgn}", "fxam", f"st={vv}")
            add(f"ftst_{nm}_{sgn}", "ftst", f"st={vv}")
            add(f"fadd_{nm}_{sgn}", "fadd st0, st1", f"st={vv},{ONE}")
    for sgn in (0, 1):
        add(f"fxam_empty_{sgn}", "fxam", f"st=E{'bfff' if sgn else '3fff'}8000000000000000")
    # fcmov under every condition and flag combination
    for cc in ["b", "e", "be", "u", "nb", "ne", "nbe", "nu"]:
        for fl in (0x202, 0x203, 0x242, 0x206, 0x247):
            add(f"fcmov{cc}_{fl:x}", f"fcmov{cc} st0, st1", f"st={ONE},{TWO}", fl=fl)
    # fcomi flags in every relation
    for nm, a, b in [("gt", TWO, ONE), ("lt", ONE, TWO), ("eq", ONE, ONE), ("un", ONE, QNAN), ("zeros", "00000000000000000000", "80000000000000000000")]:
        for ins in ["fcomi st0, st1", "fucomip st0, st1", "fcom st1", "fucompp"]:
            add(f"{ins.split()[0]}_{nm}", ins, f"st={a},{b}", fl=0x8D7)
    # BCD
    for nm, val in [("max", "403ade0b6b3a763ffff0"), ("e18", "403ade0b6b3a76400000"), ("max_round", "403ade0b6b3a763ffff8"), ("neg_small", "c0058500000000000000"),
                    ("half", "3ffe8000000000000000"), ("neg_zero", "80000000000000000000"), ("qnan", QNAN), ("inf", "7fff8000000000000000")]:
        add(f"fbstp_{nm}", "fbstp tword [0x20010]", f"st={val}")
    add("fbld_neg_zero", "fbld tword [0x20000]", "", "00" * 9 + "80")
    add("fbld_max", "fbld tword [0x20000]", "", "99" * 9 + "00")
    add("fbld_sign_bits", "fbld tword [0x20000]", "", "12" * 9 + "ff")
    # FPREM partial remainder loop and FPREM1 rounding ties
    add("fprem_loop", "l: fprem; fnstsw ax; test ah, 4; jnz l", f"st=40408000000000000001,3fffc90fdaa22168c235")
    add("fprem1_tie_even", "fprem1", f"st=4000c000000000000000,{TWO}")
    add("fprem1_tie_odd", "fprem1", f"st=4001a000000000000000,{TWO}")
    add("fprem_neg", "fprem", f"st=c002b000000000000000,{TWO}")
    # precision control on the operations it covers, not on the others
    for pc in (0, 2, 3):
        cw = 0x007F | pc << 8
        add(f"pc{pc}_fsqrt", "fsqrt", f"st={TWO}", cw=cw)
        add(f"pc{pc}_fdiv", "fdivr st0, st1", f"st=40008000000000000000,{ONE}", cw=cw)
        add(f"pc{pc}_fild", "fild qword [0x20000]", "", le((1 << 62) + 12345, 8), cw=cw)
        add(f"pc{pc}_fld80", "fld tword [0x20000]", "", le(0xFFFFFFFFFFFFFFFF, 8) + le(0x3FFF, 2), cw=cw)
        add(f"pc{pc}_frndint", "frndint", "st=403effffffffffffffff", cw=cw)
        add(f"pc{pc}_fscale", "fscale", f"st=3fffffffffffffffffff,{ONE}", cw=cw)
        add(f"pc{pc}_fchs", "fchs", "st=3fffffffffffffffffff", cw=cw)
        add(f"pc{pc}_fadd_zero", "fadd st0, st1", "st=3fffffffffffffffffff,00000000000000000000", cw=cw)
    # FOP and FDP with every addressing form
    for nm, ins in [("disp32", "fld dword [0x20000]"), ("base", "mov ebx, 0x20000; fld dword [ebx]"),
                    ("base_disp8", "mov ebp, 0x1fff0; fld dword [ebp + 0x10]"), ("ebp0", "mov ebp, 0x20000; fld dword [ebp]"),
                    ("sib", "mov ebx, 0x1fff0; mov esi, 4; fld dword [ebx + esi*4]"), ("sib_nobase", "mov esi, 0x8000; fld dword [esi*4]"),
                    ("esp", "mov eax, esp; mov esp, 0x20000; fld dword [esp]; mov esp, eax"), ("a16", "mov ebx, 0x2000; mov esi, 0x10; a16 fld dword [bx+si]"),
                    ("seg_ss", "mov ebp, 0x20000; fld dword [ss:ebp]"), ("fnstsw_keeps", "fld dword [0x20000]; fnstcw [0x20010]; fxch st1")]:
        add(f"fop_{nm}", ins, f"st={ONE}", le(0x3F800000, 4))
    # runs of register instructions (executed as one fused helper call): exceptions in the middle
    runs = [
        ("run_ze_mid", "fldcw [0x20000]; fld1; fldz; fdiv st1, st0; fxch st1; fadd st0, st1; fld st0", le(0x037B, 2)),
        ("run_ie_mid", "fldcw [0x20000]; fld1; fchs; fsqrt; fld1; fadd st0, st1", le(0x037E, 2)),
        ("run_pe_mid", "fldcw [0x20000]; fldpi; fld1; fdivp st1, st0; fld1; fxch st1", le(0x035F, 2)),
        ("run_de_mid", "fldcw [0x20000]; fld tword [0x20010]; fld1; fmul st0, st1; fld1; fld st1", le(0x037D, 2) + "00" * 14 + le(1, 8) + le(0, 2)),
        ("run_ue_mid", "fldcw [0x20000]; fld tword [0x20010]; fmul st0, st0; fld1; faddp st1, st0", le(0x036F, 2) + "00" * 14 + le(1 << 63, 8) + le(0x2000, 2)),
        ("run_oe_mid", "fldcw [0x20000]; fld tword [0x20010]; fmul st0, st0; fxch st0; fld1", le(0x0377, 2) + "00" * 14 + le(1 << 63, 8) + le(0x6000, 2)),
        ("run_masked_long", "fld1; fldpi; fmul st0, st1; fxch st1; fdiv st0, st1; fld st1; fsub st0, st2; fabs; fchs; fxch st2; fcom st1; fucomp st2; fstp st1; fld1; fldz; fincstp; fdecstp; fxam; ftst; fsqrt; frndint; fscale; fprem; fxtract", None),
        ("run_overflow_mid", "fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fldz; faddp st1, st0", None),
        ("run_overflow_mid_um", "fldcw [0x20000]; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fldz", le(0x037E, 2)),
        ("run_underflow_mid", "fld1; fstp st0; fstp st0; fld1; fadd st0, st1", None),
        ("run_underflow_mid_um", "fldcw [0x20000]; fld1; fstp st0; fxch st1; fld1", le(0x037E, 2)),
        ("run_integer_between", "fld1; mov eax, 1; fadd st0, st0; inc eax; fmul st0, st0; fldpi; add eax, eax; fdivp st1, st0", None),
        ("run_integer_between_um", "fldcw [0x20000]; fld1; fldz; mov ecx, 3; fdivp st1, st0; inc ecx; fld1; inc ecx", le(0x037B, 2)),
        ("run_pc24", "fldcw [0x20000]; fldpi; fld1; fdivp st1, st0; fld st0; fmul st0, st0; fsqrt; fstp st1", le(0x007F, 2)),
        ("run_rc_down", "fldcw [0x20000]; fldpi; fld1; fdivp st1, st0; fld st0; fmul st0, st0; fsqrt; fsub st0, st1", le(0x077F, 2)),
        ("run_then_fcomi", "fld1; fldpi; fmul st0, st1; fcomi st0, st1; fxch st1; fucomip st0, st1; fstp st0", None),
        ("run_then_fnstsw", "fld1; fldz; fcom st1; fnstsw ax; fxch st1; fucom st1; fstsw [0x20010]", None),
        ("run_nan_mid", "fld1; fld tword [0x20010]; fadd st0, st1; fxch st1; fmul st0, st1; fld st0", "00" * 16 + le(0xC000000000000001, 8) + le(0x7FFF, 2)),
        ("run_denormal_masked", "fld tword [0x20010]; fld1; fmul st0, st1; fadd st0, st1; fsub st1, st0", "00" * 16 + le(5, 8) + le(0, 2)),
    ]
    for nm, prog, mem in runs:
        add(nm, prog, "", mem)
        add(nm + "_stacked", prog, f"st={ONE},{TWO},{PI}", mem)
    # 8087/287 leftovers (FNOP on the 387 and later) and the undocumented aliases
    for nm, code in [("fneni", "db 0xdb, 0xe0"), ("fndisi", "db 0xdb, 0xe1"), ("fnsetpm", "db 0xdb, 0xe4"),
                     ("frstpm", "db 0xdb, 0xe5"), ("feni_wait", "db 0x9b, 0xdb, 0xe0"), ("ffreep", "db 0xdf, 0xc1"),
                     ("fstp1", "db 0xd9, 0xd9"), ("fstp8", "db 0xdf, 0xd1"), ("fstp9", "db 0xdf, 0xd9"),
                     ("fcom2", "db 0xdc, 0xd1"), ("fcomp3", "db 0xdc, 0xd9"), ("fcomp5", "db 0xde, 0xd1"),
                     ("fxch4", "db 0xdd, 0xc9"), ("fxch7", "db 0xdf, 0xc9")]:
        add(f"alias_{nm}", "fld1; " + code, f"st={ONE},{TWO},{PI}")
    add("fop_disp8_neg", "mov edi, 0x20008; fadd qword [edi - 8]", f"st={ONE}", le(0x3FF0000000000000, 8))
    return [x for x in c if x is not None]

def trig_arg():
    r = random.random()
    s = random.getrandbits(1)
    if r < 0.5: return f80(s, 0x3FFF + random.randint(-3, 3), rsig())           # |x| around 1
    if r < 0.65: return f80(s, 0x3FFF + random.randint(-60, -4), rsig())        # small
    if r < 0.8: return f80(s, 0x3FFF + random.randint(4, 62), rsig())           # large, reduced
    if r < 0.85: return f80(s, 0x3FFF + random.randint(63, 70), rsig())         # out of range: C2
    if r < 0.9: return f80(s, 0x3FFF + 1, 0xC90FDAA22168C235 + random.randint(-3, 3))  # near pi
    return rval()

def transcendental_case():
    op = random.choice(["fsin", "fcos", "fsincos", "fptan", "fpatan", "f2xm1", "fyl2x", "fyl2xp1"])
    if op in ("fsin", "fcos", "fsincos", "fptan"):
        return op, f"st={trig_arg()}", None
    if op == "f2xm1":
        a = f80(random.getrandbits(1), 0x3FFF - random.choice([random.randint(1, 5), random.randint(1, 70)]), rsig()) if random.random() < 0.85 else rval()
        return op, f"st={a}", None
    if op == "fpatan":
        return op, f"st={rval() if random.random() < 0.2 else f80(random.getrandbits(1), 0x3FFF + random.randint(-20, 20), rsig())},{rval() if random.random() < 0.2 else f80(random.getrandbits(1), 0x3FFF + random.randint(-20, 20), rsig())}", None
    if op == "fyl2x":
        x = f80(0, 0x3FFF + random.randint(-100, 100), rsig()) if random.random() < 0.8 else rval()
        y = f80(random.getrandbits(1), 0x3FFF + random.randint(-10, 10), rsig()) if random.random() < 0.8 else rval()
        return op, f"st={x},{y}", None
    x = f80(random.getrandbits(1), 0x3FFF - random.randint(2, 60), rsig()) if random.random() < 0.85 else rval()
    y = f80(random.getrandbits(1), 0x3FFF + random.randint(-10, 10), rsig()) if random.random() < 0.8 else rval()
    return op, f"st={x},{y}", None

CATEGORIES = [
    ("arith", arith_case, 1500),
    ("unary", unary_case, 500),
    ("compare", compare_case, 500),
    ("store", store_case, 700),
    ("load", load_case, 400),
    ("scale", scale_case, 500),
    ("sequence", sequence_case, 150),
    ("transcendental", transcendental_case, 1200),
]

def compact(line):
    """Drops what the tests fill in themselves: trailing all-zero registers of the output stack
    and trailing zero bytes of the output memory."""
    inp, out = line.split(" => ")
    fields = []
    for f in out.split(" "):
        if f.startswith("st="):
            regs = f[3:].split(",")
            while len(regs) > 1 and regs[-1] == "0" * 20:
                regs.pop()
            f = "st=" + ",".join(regs)
        elif f.startswith("mem="):
            m = f[4:]
            while m.endswith("00"):
                m = m[:-2]
            f = "mem=" + m
        fields.append(f)
    return inp + " => " + " ".join(fields)

def record(lines, recorder):
    out = subprocess.run([recorder], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    return [compact(l) for l in out.stdout.splitlines()]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=87)
    ap.add_argument("--count", type=int, default=0, help="cases per category (default: the built-in numbers)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Data"))
    ap.add_argument("--recorder", default="/tmp/x87rec")
    ap.add_argument("--unmask", type=float, default=0.15, help="share of cases with exceptions unmasked")
    ap.add_argument("--only", default="", help="comma-separated categories")
    args = ap.parse_args()
    random.seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for name, fn, n in CATEGORIES + [("edge", None, 0)]:
        if args.only and name not in args.only.split(","):
            continue
        raw = []
        if fn is None:
            random.seed(args.seed)
            raw = edge_cases()
        else:
            n = args.count or n
            for i in range(n):
                ins, state, mem = fn()
                cw = rcw(unmask=random.random() < args.unmask)
                fl = random.choice([0x202, 0x2D7, 0xAD7, 0x246])
                raw.append((f"{name}{i}", ins, state, mem, cw, fl))
        codes = asm_many([r[1] for r in raw])
        lines = []
        for (nm, ins, state, mem, cw, fl), code in zip(raw, codes):
            parts = [f"name={nm}", f"code={code}", f"cw={cw:04x}"]
            if state: parts.append(state)
            if mem: parts.append(f"mem={mem}")
            parts.append(f"fl={fl:x}")
            parts.append(f"asm={ins.replace(' ', '_')}")
            lines.append(" ".join(parts))
        recorded = record(lines, args.recorder)
        path = os.path.join(args.out, f"{name}.txt")
        with open(path, "w") as f:
            f.write(f"# x87 {name} cases recorded on this host's FPU by Recorder/gen.py (seed {args.seed})\n")
            f.write("\n".join(recorded) + "\n")
        print(f"{path}: {len(recorded)} cases")

if __name__ == "__main__":
    main()
