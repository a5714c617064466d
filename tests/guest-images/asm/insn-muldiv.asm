; insn-muldiv: mul, imul (one, two and three operand forms), div, idiv;
; 8/16/32-bit, register and memory operands. MUL/IMUL print only CF and OF
; (SF/ZF/AF/PF are undefined); DIV/IDIV flags are undefined and not printed.
; No divide error is raised (there is no IDT).
%include "harness.inc"

FL_MUL equ FL_CF | FL_OF

section .text
main:
        call run_optab
        PUTS "done", 10
        xor eax, eax
        ret

TABLE TM32, 2
        dd 0x00000000, 0x00000000
        dd 0x00000001, 0x00000001
        dd 0xffffffff, 0xffffffff
        dd 0x80000000, 0x00000002
        dd 0x7fffffff, 0x7fffffff
        dd 0x12345678, 0x9abcdef0
        dd 0xffffffff, 0x00000001
        dd 0x80000000, 0x80000000
        dd 0x00010000, 0x00010000
        dd 0xfffffffe, 0x00000003
        dd 0x00004000, 0xfffe0000
ENDTABLE TM32
TABLE TM16, 2                   ; garbage in the upper halves
        dd 0x12340000, 0x56780000
        dd 0x12340001, 0x56780001
        dd 0x1234ffff, 0x5678ffff
        dd 0x12348000, 0x56780002
        dd 0x12347fff, 0x56787fff
        dd 0x12341234, 0x56789abc
        dd 0x1234ffff, 0x56780001
        dd 0x12340100, 0x56780100
        dd 0x12340080, 0x5678ff00
ENDTABLE TM16
TABLE TM8, 2
        dd 0x12345600, 0x9abcde00
        dd 0x12345601, 0x9abcde01
        dd 0x123456ff, 0x9abcdeff
        dd 0x12345680, 0x9abcde02
        dd 0x1234567f, 0x9abcde7f
        dd 0x12345612, 0x9abcde9a
        dd 0x123456ff, 0x9abcde01
        dd 0x12345610, 0x9abcde10
        dd 0x12345640, 0x9abcdefe
ENDTABLE TM8

section .bss
mtmp:   resd 2

section .text
OP1 "mul32", FL_MUL, TM32, FIN0, 2, mul ebx
OP1 "imul32", FL_MUL, TM32, FINA, 2, imul ebx
OP1 "imul32 r,r", FL_MUL, TM32, FIN0, 1, imul eax, ebx
OP1 "imul32 r,r,imm8", FL_MUL, TM32, FINA, 1, imul eax, ebx, -3
OP1 "imul32 r,r,imm32", FL_MUL, TM32, FIN0, 1, imul eax, ebx, 0x00012345
OP1 "mul16", FL_MUL, TM16, FIN0, 2, mul bx
OP1 "imul16", FL_MUL, TM16, FINA, 2, imul bx
OP1 "imul16 r,r", FL_MUL, TM16, FIN0, 1, imul ax, bx
OP1 "imul16 r,r,imm8", FL_MUL, TM16, FINA, 1, imul ax, bx, 100
OP1 "imul16 r,r,imm16", FL_MUL, TM16, FIN0, 1, imul ax, bx, -1000
OP1 "mul8", FL_MUL, TM8, FIN0, 1, mul bl
OP1 "imul8", FL_MUL, TM8, FINA, 1, imul bl
OP1 "mul8 bh", FL_MUL, TM8, FIN0, 1, {db 0xf6, 0xe7}  ; mul bh
OPN "imul8 ch", FL_MUL, TM8, FIN0, 1, {mov ecx, 0x0000fd00}, {imul ch}
OPN "mul32 [m]", FL_MUL, TM32, FIN0, 2, {mov [mtmp], ebx}, {mul dword [mtmp]}
OPN "imul32 [m]", FL_MUL, TM32, FIN0, 2, {mov [mtmp], ebx}, {imul dword [mtmp]}
OPN "imul32 r,[m]", FL_MUL, TM32, FIN0, 1, {mov [mtmp], ebx}, {imul eax, [mtmp]}
OPN "imul32 r,[m],imm8", FL_MUL, TM32, FIN0, 1, {mov [mtmp], ebx}, {imul eax, [mtmp], 127}
OPN "imul16 [m]", FL_MUL, TM16, FIN0, 2, {mov [mtmp], ebx}, {imul word [mtmp]}
OPN "mul8 [m]", FL_MUL, TM8, FIN0, 1, {mov [mtmp], ebx}, {mul byte [mtmp]}
OPN "imul32 ecx,edx (other regs)", FL_MUL, TM32, FIN0, 1, {mov ecx, eax}, {mov edx, ebx}, {imul ecx, edx}, {mov eax, ecx}

; ------------------------------------------------------------- division
; rows: EAX = low dividend, EBX = divisor, ECX = high dividend (-> EDX)
TABLE TD32, 3
        dd 100, 7, 0
        dd 0xffffffff, 0xffffffff, 0
        dd 0, 0x10000, 0xffff
        dd 0xffffffff, 0xffffffff, 0xfffffffe
        dd 0x12345678, 1, 0
        dd 0x9abcdef0, 0x12345, 0x1234
        dd 5, 10, 0
        dd 0, 1, 0
        dd 0x89abcdef, 0x80000000, 0x7fffffff
ENDTABLE TD32
TABLE TID32, 3
        dd 0xfffffff9, 2, 0xffffffff            ; -7 / 2
        dd 7, 0xfffffffe, 0                     ; 7 / -2
        dd 0xfffffff9, 0xfffffffe, 0xffffffff   ; -7 / -2
        dd 0x80000000, 1, 0xffffffff            ; -2^31 / 1
        dd 0x7fffffff, 0xffffffff, 0            ; 2^31-1 / -1
        dd 0x56789abc, 0x07654321, 0x00001234
        dd 0x80000000, 0x80000000, 0xc0000000   ; (-2^62+2^31) / -2^31
        dd 0x00000001, 0x80000000, 0xc0000000
        dd 0, 0x7fffffff, 0
        dd 0x12345678, 0xffff0000, 0xffffffff
ENDTABLE TID32
TABLE TD16, 3                   ; DX:AX / r16, garbage in upper halves
        dd 0x1234ffff, 0x5678fffe, 0x9abc0001
        dd 0x12340064, 0x56780007, 0x9abc0000
        dd 0x12340000, 0x56780100, 0x9abc00ff
        dd 0x1234ffff, 0x5678ffff, 0x9abcfffe
        dd 0x12345678, 0x56780001, 0x9abc0000
ENDTABLE TD16
TABLE TID16, 3
        dd 0x1234fff9, 0x56780002, 0x9abcffff   ; -7 / 2
        dd 0x12348000, 0x56780001, 0x9abcffff   ; -32768 / 1
        dd 0x12340000, 0x5678fffe, 0x9abc0001   ; 65536 / -2 = -32768
        dd 0x12347fff, 0x5678ffff, 0x9abc0000   ; 32767 / -1
        dd 0x12341234, 0x56780123, 0x9abcfff0
ENDTABLE TID16
TABLE TD8, 2                    ; AX / r8
        dd 0x123400ff, 0x56780010
        dd 0x12340064, 0x56780007
        dd 0x1234fefe, 0x567800ff
        dd 0x12340100, 0x56780002
        dd 0x12347fff, 0x56780080
        dd 0x12340005, 0x567800fa
ENDTABLE TD8
TABLE TID8, 2
        dd 0x1234fff9, 0x56780002               ; -7 / 2
        dd 0x1234ff80, 0x56780001               ; -128 / 1
        dd 0x12340080, 0x567800ff               ; 128 / -1 = -128
        dd 0x1234007f, 0x567800ff               ; 127 / -1
        dd 0x1234fc18, 0x56780009               ; -1000 / 9
        dd 0x12340064, 0x567800f9               ; 100 / -7
ENDTABLE TID8

OPN "div32", 0, TD32, FIN0, 2, {mov edx, ecx}, {div ebx}
OPN "idiv32", 0, TID32, FIN0, 2, {mov edx, ecx}, {idiv ebx}
OPN "div16", 0, TD16, FIN0, 2, {mov edx, ecx}, {div bx}
OPN "idiv16", 0, TID16, FIN0, 2, {mov edx, ecx}, {idiv bx}
OP1 "div8", 0, TD8, FIN0, 1, div bl
OP1 "idiv8", 0, TID8, FIN0, 1, idiv bl
OPN "div32 [m]", 0, TD32, FIN0, 2, {mov edx, ecx}, {mov [mtmp], ebx}, {div dword [mtmp]}
OPN "idiv16 [m]", 0, TID16, FIN0, 2, {mov edx, ecx}, {mov [mtmp], ebx}, {idiv word [mtmp]}
OPN "idiv8 [m]", 0, TID8, FIN0, 1, {mov [mtmp], ebx}, {idiv byte [mtmp]}
OPN "idiv32 cdq", 0, TID32, FIN0, 2, {cdq}, {idiv ebx}

END_TESTS
