; insn-alu: add/adc/sub/sbb/cmp/inc/dec/neg/and/or/xor/not/test,
; 8/16/32-bit, register, memory and immediate forms.
; 8/16-bit cases run with garbage in the upper register bits; the full
; 32-bit register is printed so that preservation of those bits is checked.
%include "harness.inc"

section .text
main:
        call run_optab
        PUTS "done", 10
        xor eax, eax
        ret

; ---------------------------------------------------------------- tables
TABLE T32, 2
        dd 0x00000000, 0x00000000
        dd 0x00000001, 0xffffffff
        dd 0xffffffff, 0x00000001
        dd 0x7fffffff, 0x00000001
        dd 0x80000000, 0xffffffff
        dd 0x80000000, 0x80000000
        dd 0x12345678, 0x9abcdef0
        dd 0x0000000f, 0x00000001
        dd 0x7fffffff, 0x80000000
        dd 0xfedcba98, 0xfedcba98
ENDTABLE T32
TABLE T16, 2
        dd 0x12340000, 0x56780000
        dd 0x12340001, 0x5678ffff
        dd 0x1234ffff, 0x56780001
        dd 0x12347fff, 0x56780001
        dd 0x12348000, 0x5678ffff
        dd 0x12348000, 0x56788000
        dd 0x12345678, 0x56789abc
        dd 0x1234000f, 0x56780001
ENDTABLE T16
TABLE T8, 2
        dd 0xabcdef00, 0x12345600
        dd 0xabcdef01, 0x123456ff
        dd 0xabcdefff, 0x12345601
        dd 0xabcdef7f, 0x12345601
        dd 0xabcdef80, 0x123456ff
        dd 0xabcdef80, 0x12345680
        dd 0xabcdef0f, 0x12345601
        dd 0xabcdef3c, 0x1234565a
ENDTABLE T8
TABLE T32S, 2
        dd 0x00000001, 0xffffffff
        dd 0x7fffffff, 0x00000001
        dd 0x80000000, 0x80000000
        dd 0x12345678, 0x9abcdef0
        dd 0x0000000f, 0x00000001
ENDTABLE T32S
TABLE T16S, 2
        dd 0x12340001, 0x5678ffff
        dd 0x12347fff, 0x56780001
        dd 0x12348000, 0x56788000
        dd 0x1234000f, 0x56780001
ENDTABLE T16S
TABLE T8S, 2
        dd 0xabcdef01, 0x123456ff
        dd 0xabcdef7f, 0x12345601
        dd 0xabcdef80, 0x12345680
        dd 0xabcdef0f, 0x12345601
ENDTABLE T8S
TABLE T8H, 2                    ; operands in AH and BH
        dd 0x11ff2233, 0x44015566
        dd 0x117f2233, 0x44015566
        dd 0x11802233, 0x44805566
        dd 0x11002233, 0x44ff5566
ENDTABLE T8H
TABLE T1, 1                     ; unary / immediate operand rows
        dd 0x00000000
        dd 0x00000001
        dd 0x7fffffff
        dd 0x80000000
        dd 0xffffffff
ENDTABLE T1
TABLE T1H, 1                    ; 16-bit and 8-bit edges, garbage above
        dd 0x12340000
        dd 0x12347fff
        dd 0x12348000
        dd 0x1234ff7f
        dd 0x1234ff80
        dd 0x1234ffff
ENDTABLE T1H
TABLE TIMM, 1
        dd 0x7fffff80
        dd 0xffffffff
        dd 0x12348000
ENDTABLE TIMM

section .bss
mtmp:   resd 2

section .text
; ------------------------------------------------- register-register forms
%macro BINOP 4 ; mnem, mask, fins32, fins-narrow
%defstr _MN %1
%strcat _N _MN, "32"
OP1 _N, %2, T32, %3, 1, %1 eax, ebx
%strcat _N _MN, "16"
OP1 _N, %2, T16, %4, 1, %1 ax, bx
%strcat _N _MN, "8"
OP1 _N, %2, T8, %4, 1, %1 al, bl
%endmacro

BINOP add, FL_ALL, FIN0, FINA
BINOP adc, FL_ALL, FINC, FINC
BINOP sub, FL_ALL, FIN0, FINA
BINOP sbb, FL_ALL, FINC, FINC
BINOP cmp, FL_ALL, FIN0, FINA
BINOP and, FL_LOGIC, FIN0, FINA
BINOP or,  FL_LOGIC, FIN0, FINA
BINOP xor, FL_LOGIC, FIN0, FINA
BINOP test, FL_LOGIC, FIN0, FINA

OP1 "add8 ah,bh", FL_ALL, T8H, FIN0, 1, add ah, bh
OP1 "sub8 ah,bl", FL_ALL, T8H, FIN0, 1, sub ah, bl
OP1 "adc8 al,bh", FL_ALL, T8H, FINC, 1, adc al, bh
OP1 "xor8 bh,ah", FL_LOGIC, T8H, FIN0, 3, xor bh, ah
OP1 "cmp8 ah,bh", FL_ALL, T8H, FIN0, 1, cmp ah, bh

; the "reg, r/m" direction (opcodes 02/03/2a/2b...) with a register operand
OP1 "sub32 (2b) eax,ebx", FL_ALL, T32, FIN0, 1, db 0x2b, 0xc3
OP1 "adc8 (12) al,bl", FL_ALL, T8, FINC, 1, db 0x12, 0xc3
OP1 "cmp16 (3b) ax,bx", FL_ALL, T16, FIN0, 1, db 0x66, 0x3b, 0xc3

; ---------------------------------------------------------- unary forms
%macro UNOP 3 ; mnem, mask, fins
%defstr _MN %1
%strcat _N _MN, "32"
OP1 _N, %2, T1, %3, 1, %1 eax
%strcat _N _MN, "16"
OP1 _N, %2, T1H, %3, 1, %1 ax
%strcat _N _MN, "8"
OP1 _N, %2, T1H, %3, 1, %1 al
%endmacro

UNOP inc, FL_ALL, FIN2
UNOP dec, FL_ALL, FIN2
UNOP neg, FL_ALL, FIN0
UNOP not, FL_ALL, FIN2
OP1 "inc8 ah", FL_ALL, T1H, FINA, 1, inc ah
OP1 "dec32 (ff /1) eax", FL_ALL, T1, FIN0, 1, db 0xff, 0xc8
OP1 "inc16 (ff /0) ax", FL_ALL, T1H, FIN0, 1, db 0x66, 0xff, 0xc0
OPN "neg8 ch", FL_ALL, T1H, FIN0, 1, {mov ecx, eax}, {neg ch}, {mov eax, ecx}

; --------------------------------------------------------- memory forms
%macro MEMOP 3 ; mnem, mask, fins
%defstr _MN %1
%strcat _N _MN, "32 [m],r"
OP _N, %2, T32S, %3, 1
        mov [mtmp], eax
        %1 [mtmp], ebx
        mov eax, [mtmp]
        ret
%strcat _N _MN, "32 r,[m]"
OP _N, %2, T32S, %3, 1
        mov [mtmp], ebx
        %1 eax, [mtmp]
        ret
%strcat _N _MN, "8 [m],r"
OP _N, %2, T8S, %3, 1
        mov [mtmp], eax
        %1 [mtmp], bl
        mov eax, [mtmp]
        ret
%strcat _N _MN, "16 r,[m]"
OP _N, %2, T16S, %3, 1
        mov [mtmp], ebx
        %1 ax, [mtmp]
        ret
%endmacro

MEMOP add, FL_ALL, FIN0
MEMOP adc, FL_ALL, FINC
MEMOP sbb, FL_ALL, FINC
MEMOP xor, FL_LOGIC, FINA

OP "test32 [m],r", FL_LOGIC, T32S, FIN0, 1
        mov [mtmp], eax
        test [mtmp], ebx
        ret
OP "cmp16 [m],r", FL_ALL, T16S, FIN0, 1
        mov [mtmp], eax
        cmp [mtmp], bx
        ret

%macro MEMUN 2 ; mnem, mask
%defstr _MN %1
%strcat _N _MN, "32 [m]"
OP _N, %2, T1, FINA, 1
        mov [mtmp], eax
        %1 dword [mtmp]
        mov eax, [mtmp]
        ret
%strcat _N _MN, "8 [m+1]"
OP _N, %2, T1H, FIN0, 1
        mov [mtmp], eax
        %1 byte [mtmp+1]
        mov eax, [mtmp]
        ret
%endmacro
MEMUN inc, FL_ALL
MEMUN dec, FL_ALL
MEMUN neg, FL_ALL
MEMUN not, FL_ALL

; ------------------------------------------------------ immediate forms
%macro IMMOP 3 ; mnem, mask, fins
%defstr _MN %1
%strcat _N _MN, "32 eax,imm32"
OP1 _N, %2, TIMM, %3, 1, %1 eax, 0x80000001
%strcat _N _MN, "32 ecx,imm8"
OPN _N, %2, TIMM, %3, 1, {mov ecx, eax}, {%1 ecx, byte -3}, {mov eax, ecx}
%strcat _N _MN, "32 ecx,imm32"
OPN _N, %2, TIMM, %3, 1, {mov ecx, eax}, {%1 ecx, dword 0x00010000}, {mov eax, ecx}
%strcat _N _MN, "16 ax,imm16"
OP1 _N, %2, TIMM, %3, 1, %1 ax, 0x8001
%strcat _N _MN, "16 cx,imm8"
OPN _N, %2, TIMM, %3, 1, {mov ecx, eax}, {%1 cx, byte 0x7f}, {mov eax, ecx}
%strcat _N _MN, "8 al,imm8"
OP1 _N, %2, TIMM, %3, 1, %1 al, 0x80
%strcat _N _MN, "8 cl,imm8"
OPN _N, %2, TIMM, %3, 1, {mov ecx, eax}, {%1 cl, 0x01}, {mov eax, ecx}
%strcat _N _MN, "32 [m],imm8"
OP _N, %2, TIMM, %3, 1
        mov [mtmp], eax
        %1 dword [mtmp], byte 5
        mov eax, [mtmp]
        ret
%endmacro

IMMOP add, FL_ALL, FIN0
IMMOP adc, FL_ALL, FINA
IMMOP sub, FL_ALL, FIN0
IMMOP sbb, FL_ALL, FINA
IMMOP cmp, FL_ALL, FIN0
IMMOP and, FL_LOGIC, FIN0
IMMOP or,  FL_LOGIC, FIN0
IMMOP xor, FL_LOGIC, FIN0

OP1 "test32 eax,imm32", FL_LOGIC, TIMM, FIN0, 1, test eax, 0x80000001
OPN "test32 ecx,imm32", FL_LOGIC, TIMM, FIN0, 1, {mov ecx, eax}, {test ecx, 0x00008000}, {mov eax, ecx}
OP1 "test16 ax,imm16", FL_LOGIC, TIMM, FIN0, 1, test ax, 0x8000
OP1 "test8 al,imm8", FL_LOGIC, TIMM, FIN0, 1, test al, 0x81
OPN "test8 ch,imm8", FL_LOGIC, TIMM, FIN0, 1, {mov ecx, eax}, {test ch, 0x80}, {mov eax, ecx}
OPN "add8 cl,imm8 (op 82)", FL_ALL, TIMM, FIN0, 1, {mov ecx, eax}, {db 0x82, 0xc1, 0x81}, {mov eax, ecx}

END_TESTS
