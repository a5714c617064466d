; insn-flags: clc/stc/cmc/cld/std, pushf/popf round trips of the arithmetic
; flags (all 64 combinations), reserved EFLAGS bits, 16-bit pushf/popf,
; lahf/sahf, and flags produced by real arithmetic consumed by all 16
; setcc conditions (mask bit k = condition k in the order
; o no b ae e ne be a s ns p np l ge le g).
%include "harness.inc"

section .text
main:
        call run_optab
        PUTS "done", 10
        xor eax, eax
        ret

section .rodata
FINX:   dd 4, 0, FL_CF, FL_ALL & ~FL_CF, FL_ALL

section .bss
mout:   resb 16

section .text
OP1 "clc", FL_ALL, NOROW, FINX, 0, clc
OP1 "stc", FL_ALL, NOROW, FINX, 0, stc
OP1 "cmc", FL_ALL, NOROW, FINX, 0, cmc
OP1 "std", FL_ALL | FL_DF, NOROW, FINX, 0, std
OPN "std;cld", FL_ALL | FL_DF, NOROW, FIN2, 0, {std}, {cld}
OPN "stc;cmc;cmc", FL_ALL, NOROW, FIN0, 0, {stc}, {cmc}, {cmc}

; all 64 combinations of CF PF AF ZF SF OF through popfd/pushfd and
; through sahf/lahf (low five) -- EAX = mismatches, EDX = checksum
OP "popfd/pushfd x64", 0, NOROW, FIN0, 2
        xor ecx, ecx
        xor ebx, ebx            ; mismatches
        xor edx, edx            ; checksum
.l:     ; spread bits 0..5 of ecx onto CF PF AF ZF SF OF
        mov eax, 0
        test cl, 1
        jz .a
        or eax, FL_CF
.a:     test cl, 2
        jz .b
        or eax, FL_PF
.b:     test cl, 4
        jz .c
        or eax, FL_AF
.c:     test cl, 8
        jz .d
        or eax, FL_ZF
.d:     test cl, 16
        jz .e
        or eax, FL_SF
.e:     test cl, 32
        jz .f
        or eax, FL_OF
.f:     mov esi, eax
        push eax
        popfd
        pushfd
        pop eax
        and eax, FL_ALL
        cmp eax, esi
        je .ok
        inc ebx
.ok:    rol edx, 3
        xor edx, eax
        ; the same through sahf/lahf (no OF)
        mov eax, esi
        mov ah, al
        sahf
        mov al, 0
        lahf
        movzx eax, ah
        and eax, 0xd5
        mov edi, esi
        and edi, 0xd5
        cmp eax, edi
        je .ok2
        inc ebx
.ok2:   inc ecx
        cmp ecx, 64
        jb .l
        mov eax, ebx
        ret

; reserved bits: 1 reads as 1, 3/5/15 read as 0
OP "popfd reserved bits", 0, NOROW, FIN0, 1
        push dword 0x8cff       ; everything in 0..15 except TF, IF, IOPL, NT
        popfd
        pushfd
        pop eax
        and eax, 0x8cff
        push dword 0
        popfd
        ret
OP "popfd 0 -> pushfd", 0, NOROW, FIN0, 1
        push dword 0
        popfd
        pushfd
        pop eax
        and eax, 0x8cff
        ret
; 16-bit forms change only the low 16 bits of the stack slot / EFLAGS
OP "pushfw/popfw", FL_ALL | FL_DF, NOROW, FIN0, 2
        mov ebx, esp
        push dword 0x0cd5
        popfd                   ; all arithmetic flags + DF
        pushfw
        mov edx, ebx
        sub edx, esp            ; 2
        pop ax
        and eax, 0x0cd5
        push word 0x0041        ; CF ZF only, DF cleared
        popfw
        ret
OP "pushfd image", 0, NOROW, FIN0, 2
        mov ebx, esp
        push dword 0x0895
        popfd
        pushfd
        mov edx, ebx
        sub edx, esp            ; 4
        pop eax
        and eax, 0x8cff
        push dword 0
        popfd
        ret

TABLE TAH, 1
        dd 0x0000ff00
        dd 0x00000000
        dd 0x00002a00
        dd 0x00000100
        dd 0x00004400
        dd 0x00009000
ENDTABLE TAH
OPN "sahf;lahf", FL_ALL, TAH, FIN2, 1, {sahf}, {mov eax, 0}, {lahf}
OPN "sahf keeps OF", FL_ALL, TAH, FIN2, 0, {sahf}

; ------------------------------------------------- flags -> 16 conditions
%macro CCSTEP 2
        set%1 [mout+%2]
%endmacro
%macro CCMASK 0                 ; EAX := condition mask (keeps nothing)
        CCSTEP o, 0
        CCSTEP no, 1
        CCSTEP b, 2
        CCSTEP ae, 3
        CCSTEP e, 4
        CCSTEP ne, 5
        CCSTEP be, 6
        CCSTEP a, 7
        CCSTEP s, 8
        CCSTEP ns, 9
        CCSTEP p, 10
        CCSTEP np, 11
        CCSTEP l, 12
        CCSTEP ge, 13
        CCSTEP le, 14
        CCSTEP g, 15
        pushfd
        call fold
        popfd
%endmacro
fold:
        xor eax, eax
        mov ecx, 15
.l:     shl eax, 1
        or al, [mout+ecx]
        dec ecx
        jns .l
        ret

TABLE TV, 2
        dd 0x00000000, 0x00000000
        dd 0x00000001, 0xffffffff
        dd 0x7fffffff, 0x00000001
        dd 0x80000000, 0x00000001
        dd 0xffffffff, 0xffffffff
        dd 0x12345678, 0x12345679
        dd 0x00000080, 0x00000080
ENDTABLE TV
%macro CCOP 3+ ; name, fins, instruction
OPN %1, FL_ALL, TV, %2, 1, {%3}, {CCMASK}
%endmacro
%macro CCOPNA 3+ ; the same, AF undefined (shifts)
OPN %1, FL_ALL & ~FL_AF, TV, %2, 1, {%3}, {CCMASK}
%endmacro
CCOP "add;setcc", FIN0, add eax, ebx
CCOP "sub;setcc", FIN0, sub eax, ebx
CCOP "cmp;setcc", FIN0, cmp eax, ebx
CCOP "adc;setcc", FINC, adc eax, ebx
CCOP "sbb;setcc", FINC, sbb eax, ebx
CCOP "sub8;setcc", FIN0, sub al, bl
CCOP "cmp16;setcc", FIN0, cmp ax, bx
CCOP "inc;setcc (CF kept)", FINC, inc eax
CCOP "dec8;setcc (CF kept)", FINC, dec al
CCOP "neg;setcc", FIN0, neg eax
CCOP "xor;setcc", FINA, xor eax, ebx
CCOP "test8;setcc", FINA, test al, bl
CCOPNA "shl1;setcc", FIN0, shl eax, 1
CCOPNA "sar1;setcc", FIN0, sar eax, 1
CCOPNA "shr16,1;setcc", FIN0, shr ax, 1
CCOP "rcl1;setcc", FINC, rcl eax, 1

END_TESTS
