; insn-shift: shl/shr/sar/rol/ror/rcl/rcr and shld/shrd, 8/16/32-bit,
; by 1, by CL and by immediate, register and memory operands.
; Counts are masked to 5 bits (CL=0x20 -> 0, CL=0x21/0xe1 -> 1).
; Masks follow the SDM: count 0 leaves all flags unchanged (checked with
; flags-in both clear and set); AF is undefined for shifts; OF is undefined
; for counts > 1; CF is undefined for SHL/SHR when count >= operand size.
%include "harness.inc"

FL_SH1 equ FL_ALL & ~FL_AF      ; shift by 1
FL_SHN equ FL_SH1 & ~FL_OF      ; shift by >1
FL_SHB equ FL_SHN & ~FL_CF      ; shl/shr by >= operand size
FL_ROT1 equ FL_ALL              ; rotate by 1: OF and CF defined, rest kept
FL_ROTN equ FL_ALL & ~FL_OF

section .text
main:
        call run_optab
        PUTS "done", 10
        xor eax, eax
        ret

section .bss
mtmp:   resd 2

; value rows: eax = value, ebx = count (moved to ECX by the stub)
%define V1 0x9abc8081
%define V2 0x12347f3c
%define V3 0x5555c001
%define V4 0xffffff00
TABLE TC0, 2
        dd V1, 0
        dd V2, 0x20
        dd V3, 0x12345640
ENDTABLE TC0
TABLE TC1, 2
        dd V1, 1
        dd V2, 1
        dd V3, 0x21
        dd V4, 0xe1
ENDTABLE TC1
TABLE TCN, 2
        dd V1, 4
        dd V2, 7
        dd V3, 2
ENDTABLE TCN
TABLE TCL, 2
        dd V1, 8
        dd V2, 15
        dd V3, 16
        dd V4, 31
ENDTABLE TCL
TABLE TV, 1
        dd V1
        dd V2
        dd V3
        dd V4
ENDTABLE TV

%macro CLOPS 7 ; mnem, sizestr, reg, fins, mask1, maskN, maskL
%defstr _MN %1
%strcat _N _MN, %2, " cl=0"
OPN _N, FL_ALL, TC0, FIN2, 1, {mov ecx, ebx}, {%1 %3, cl}
%strcat _N _MN, %2, " cl=1"
OPN _N, %5, TC1, %4, 1, {mov ecx, ebx}, {%1 %3, cl}
%strcat _N _MN, %2, " cl=n"
OPN _N, %6, TCN, %4, 1, {mov ecx, ebx}, {%1 %3, cl}
%strcat _N _MN, %2, " cl=big"
OPN _N, %7, TCL, %4, 1, {mov ecx, ebx}, {%1 %3, cl}
%endmacro

CLOPS shl, "32", eax, FIN0, FL_SH1, FL_SHN, FL_SHN
CLOPS shl, "16", ax, FINA, FL_SH1, FL_SHN, FL_SHB
CLOPS shl, "8", al, FIN0, FL_SH1, FL_SHN, FL_SHB
CLOPS shr, "32", eax, FINA, FL_SH1, FL_SHN, FL_SHN
CLOPS shr, "16", ax, FIN0, FL_SH1, FL_SHN, FL_SHB
CLOPS shr, "8", al, FINA, FL_SH1, FL_SHN, FL_SHB
CLOPS sar, "32", eax, FIN0, FL_SH1, FL_SHN, FL_SHN
CLOPS sar, "16", ax, FINA, FL_SH1, FL_SHN, FL_SHN
CLOPS sar, "8", al, FIN0, FL_SH1, FL_SHN, FL_SHN
CLOPS rol, "32", eax, FIN2, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS rol, "16", ax, FINA, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS rol, "8", al, FIN0, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS ror, "32", eax, FIN0, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS ror, "16", ax, FIN2, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS ror, "8", al, FINA, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS rcl, "32", eax, FIN2, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS rcl, "16", ax, FIN2, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS rcl, "8", al, FIN2, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS rcr, "32", eax, FIN2, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS rcr, "16", ax, FIN2, FL_ROT1, FL_ROTN, FL_ROTN
CLOPS rcr, "8", al, FIN2, FL_ROT1, FL_ROTN, FL_ROTN

; RCL/RCR 8-bit rotate through 9 bits: count 9 is a no-op on the value and CF
TABLE TRC9, 2
        dd V1, 9
        dd V2, 18
ENDTABLE TRC9
OPN "rcl8 cl=9,18", FL_ROTN, TRC9, FIN2, 1, {mov ecx, ebx}, {rcl al, cl}
OPN "rcr8 cl=9,18", FL_ROTN, TRC9, FIN2, 1, {mov ecx, ebx}, {rcr al, cl}

; ---------------------------------------------------- by 1 (D1/D0 forms)
%macro BY1 3 ; mnem, fins, mask
%defstr _MN %1
%strcat _N _MN, "32 ,1"
OP1 _N, %3, TV, %2, 1, %1 eax, 1
%strcat _N _MN, "8 ,1"
OP1 _N, %3, TV, %2, 1, %1 al, 1
%endmacro
BY1 shl, FIN0, FL_SH1
BY1 shr, FINA, FL_SH1
BY1 sar, FIN0, FL_SH1
BY1 rol, FIN2, FL_ROT1
BY1 ror, FIN2, FL_ROT1
BY1 rcl, FIN2, FL_ROT1
BY1 rcr, FIN2, FL_ROT1
OP1 "shl16 ,1", FL_SH1, TV, FIN0, 1, shl ax, 1
OP1 "sar16 ,1", FL_SH1, TV, FIN0, 1, sar ax, 1
OP1 "rcr16 ,1", FL_ROT1, TV, FIN2, 1, rcr ax, 1
OP1 "sal32 (d1 /6) ,1", FL_SH1, TV, FIN0, 1, db 0xd1, 0xf0

; ------------------------------------------------- by immediate (C1/C0)
OP1 "shl32 ,imm0", FL_ALL, TV, FIN2, 1, db 0xc1, 0xe0, 0x00
OP1 "shl32 ,imm1 (c1)", FL_SH1, TV, FIN0, 1, db 0xc1, 0xe0, 0x01
OP1 "shl32 ,imm5", FL_SHN, TV, FIN0, 1, shl eax, 5
OP1 "shl32 ,imm33", FL_SH1, TV, FIN0, 1, db 0xc1, 0xe0, 33
OP1 "shr32 ,imm31", FL_SHN, TV, FIN0, 1, shr eax, 31
OP1 "sar32 ,imm31", FL_SHN, TV, FIN0, 1, sar eax, 31
OP1 "sar32 ,imm12", FL_SHN, TV, FIN0, 1, sar eax, 12
OP1 "rol32 ,imm8", FL_ROTN, TV, FIN0, 1, rol eax, 8
OP1 "ror32 ,imm1 (c1)", FL_ROT1, TV, FIN0, 1, db 0xc1, 0xc8, 0x01
OP1 "ror32 ,imm0", FL_ALL, TV, FIN2, 1, db 0xc1, 0xc8, 0x00
OP1 "rcl32 ,imm31", FL_ROTN, TV, FINC, 1, rcl eax, 31
OP1 "rcr32 ,imm3", FL_ROTN, TV, FINC, 1, rcr eax, 3
OP1 "shl16 ,imm9", FL_SHN, TV, FIN0, 1, shl ax, 9
OP1 "shr8 ,imm3", FL_SHN, TV, FIN0, 1, shr al, 3
OP1 "sar8 ,imm7", FL_SHN, TV, FIN0, 1, sar al, 7
OP1 "rol8 ,imm4", FL_ROTN, TV, FIN0, 1, rol al, 4
OP1 "ror16 ,imm12", FL_ROTN, TV, FIN0, 1, ror ax, 12
OP1 "rcl8 ,imm5", FL_ROTN, TV, FINC, 1, rcl al, 5
OPN "shl8 ah,imm2", FL_SHN, TV, FIN0, 1, {shl ah, 2}
OPN "ror8 ch,imm1", FL_ROT1, TV, FIN0, 1, {mov ecx, eax}, {ror ch, 1}, {mov eax, ecx}

; ---------------------------------------------------------- memory forms
OPN "shl32 [m],cl", FL_SHN, TCN, FIN0, 1, {mov ecx, ebx}, {mov [mtmp], eax}, {shl dword [mtmp], cl}, {mov eax, [mtmp]}
OPN "sar16 [m],1", FL_SH1, TV, FIN0, 1, {mov [mtmp], eax}, {sar word [mtmp], 1}, {mov eax, [mtmp]}
OPN "rol8 [m+1],imm3", FL_ROTN, TV, FIN0, 1, {mov [mtmp], eax}, {rol byte [mtmp+1], 3}, {mov eax, [mtmp]}
OPN "rcr32 [m],cl", FL_ROTN, TCL, FINC, 1, {mov ecx, ebx}, {mov [mtmp], eax}, {rcr dword [mtmp], cl}, {mov eax, [mtmp]}
OPN "shr32 [m],cl=0", FL_ALL, TC0, FIN2, 1, {mov ecx, ebx}, {mov [mtmp], eax}, {shr dword [mtmp], cl}, {mov eax, [mtmp]}

; ------------------------------------------------------------ shld/shrd
; rows: eax = destination, ebx = source, ecx = count
%define S1 0x89abcdef
TABLE TD0, 3
        dd V1, S1, 0
        dd V2, S1, 0x20
ENDTABLE TD0
TABLE TD1, 3
        dd V1, S1, 1
        dd V2, S1, 1
        dd V3, 0x7fffffff, 0x21
ENDTABLE TD1
TABLE TDN, 3
        dd V1, S1, 4
        dd V2, S1, 8
        dd V3, S1, 15
        dd V4, S1, 16
        dd V1, 0x00000000, 31
        dd V2, 0xffffffff, 31
ENDTABLE TDN
TABLE TDN16, 3                  ; 16-bit: counts up to 16 only (else undefined)
        dd V1, S1, 4
        dd V2, S1, 8
        dd V3, S1, 15
        dd V4, S1, 16
ENDTABLE TDN16

OP1 "shld32 cl=0", FL_ALL, TD0, FIN2, 1, shld eax, ebx, cl
OP1 "shld32 cl=1", FL_SH1, TD1, FIN0, 1, shld eax, ebx, cl
OP1 "shld32 cl=n", FL_SHN, TDN, FIN0, 1, shld eax, ebx, cl
OP1 "shrd32 cl=0", FL_ALL, TD0, FIN2, 1, shrd eax, ebx, cl
OP1 "shrd32 cl=1", FL_SH1, TD1, FIN0, 1, shrd eax, ebx, cl
OP1 "shrd32 cl=n", FL_SHN, TDN, FINA, 1, shrd eax, ebx, cl
OP1 "shld16 cl=1", FL_SH1, TD1, FIN0, 1, shld ax, bx, cl
OP1 "shld16 cl=n", FL_SHN, TDN16, FIN0, 1, shld ax, bx, cl
OP1 "shrd16 cl=1", FL_SH1, TD1, FIN0, 1, shrd ax, bx, cl
OP1 "shrd16 cl=n", FL_SHN, TDN16, FIN0, 1, shrd ax, bx, cl
OP1 "shld32 imm0", FL_ALL, TD1, FIN2, 1, shld eax, ebx, 0
OP1 "shld32 imm1", FL_SH1, TD1, FIN0, 1, shld eax, ebx, 1
OP1 "shld32 imm12", FL_SHN, TD1, FIN0, 1, shld eax, ebx, 12
OP1 "shrd32 imm31", FL_SHN, TD1, FIN0, 1, shrd eax, ebx, 31
OP1 "shrd32 imm33", FL_SH1, TD1, FIN0, 1, db 0x0f, 0xac, 0xd8, 33
OP1 "shrd16 imm7", FL_SHN, TD1, FIN0, 1, shrd ax, bx, 7
OPN "shld32 [m],r,cl", FL_SHN, TDN, FIN0, 1, {mov [mtmp], eax}, {shld [mtmp], ebx, cl}, {mov eax, [mtmp]}
OPN "shrd32 [m],r,imm5", FL_SHN, TD1, FIN0, 1, {mov [mtmp], eax}, {shrd [mtmp], ebx, 5}, {mov eax, [mtmp]}
OPN "shrd16 [m],r,cl", FL_SHN, TDN16, FIN0, 1, {mov [mtmp], eax}, {shrd word [mtmp], bx, cl}, {mov eax, [mtmp]}

END_TESTS
