; insn-control: jcc (all 16 conditions, short and near, taken and not
; taken), jmp, loop/loopz/loopnz/jecxz (also with the 0x67 CX form),
; call/ret, ret imm16, indirect jmp/call through register and memory, jump
; tables, recursion. Condition masks use bit k for condition k in the order
; o no b ae e ne be a s ns p np l ge le g.
%include "harness.inc"

section .text
main:
        call run_optab
        PUTS "done", 10
        xor eax, eax
        ret

section .rodata
FINCC:  dd 12, 0, FL_CF, FL_ZF, FL_SF, FL_OF, FL_PF, FL_CF|FL_ZF, FL_SF|FL_OF
        dd FL_ZF|FL_SF, FL_ZF|FL_OF, FL_SF|FL_OF|FL_ZF, FL_ALL

section .bss
mout:   resb 32
mtmp:   resd 4
savesp: resd 1

section .text
; EAX := bits of mout[0..15] (byte k nonzero -> bit k); EDX := same for
; mout[16..31]
fold16:
        push ecx
        xor eax, eax
        xor edx, edx
        mov ecx, 15
.l:     shl eax, 1
        shl edx, 1
        cmp byte [mout+ecx], 0
        je .a
        or eax, 1
.a:     cmp byte [mout+16+ecx], 0
        je .b
        or edx, 1
.b:     dec ecx
        jns .l
        pop ecx
        ret
clear_mout:                     ; keeps EFLAGS
        mov dword [mout], 0
        mov dword [mout+4], 0
        mov dword [mout+8], 0
        mov dword [mout+12], 0
        mov dword [mout+16], 0
        mov dword [mout+20], 0
        mov dword [mout+24], 0
        mov dword [mout+28], 0
        ret

%macro JSTEP 2 ; cc, k
        j%1 short %%t
        mov byte [mout+16+%2], 1        ; not-taken path
        jmp short %%n
%%t:    mov byte [mout+%2], 1           ; taken path
%%n:
%endmacro
%macro JSTEPN 2 ; cc, k (near encoding 0f 8x)
        j%1 near %%t
        jmp near %%n
        times 130 nop                   ; make the targets out of short range
%%t:    mov byte [mout+%2], 1
%%n:
%endmacro
%macro ALLCC 1
        %1 o, 0
        %1 no, 1
        %1 b, 2
        %1 ae, 3
        %1 e, 4
        %1 ne, 5
        %1 be, 6
        %1 a, 7
        %1 s, 8
        %1 ns, 9
        %1 p, 10
        %1 np, 11
        %1 l, 12
        %1 ge, 13
        %1 le, 14
        %1 g, 15
%endmacro

; EAX = taken mask, EDX = not-taken mask (must be the complement)
OP "jcc short", 0, NOROW, FINCC, 2
        call clear_mout
        ALLCC JSTEP
        jmp fold16
OP "jcc near", 0, NOROW, FINCC, 1
        call clear_mout
        ALLCC JSTEPN
        jmp fold16

; conditions computed from real arithmetic (not popf): rows a, b; cmp a, b
TABLE TCMP, 2
        dd 5, 7
        dd 7, 5
        dd 7, 7
        dd 0x80000000, 1
        dd 1, 0x80000000
        dd 0xffffffff, 0
        dd 0x7fffffff, 0xffffffff
ENDTABLE TCMP
OP "cmp;jcc", 0, TCMP, FIN0, 1
        call clear_mout
        cmp eax, ebx
        ALLCC JSTEP
        jmp fold16
OP "sub8;jcc", 0, TCMP, FIN0, 1
        call clear_mout
        sub al, bl
        ALLCC JSTEP
        jmp fold16
OP "test;jcc", 0, TCMP, FIN0, 1
        call clear_mout
        test eax, ebx
        ALLCC JSTEP
        jmp fold16

; --------------------------------------------------------------- loops
TABLE TLOOP, 1
        dd 1
        dd 5
        dd 100
ENDTABLE TLOOP
; EAX = iterations, ECX after, flags untouched by LOOP (set to fin)
OP "loop", FL_ALL, TLOOP, FIN2, 2
        mov ecx, eax
        mov edx, 0
.l:     lea edx, [edx+1]
        loop .l
        mov eax, edx
        mov edx, ecx
        ret
OP "loop a16 (cx)", FL_ALL, TLOOP, FINA, 2
        lea ecx, [eax+0x30000]  ; upper half must be ignored and preserved
        mov edx, 0
.l:     lea edx, [edx+1]
        a16 loop .l
        mov eax, edx
        mov edx, ecx
        ret
; loopz: scan an array while elements equal 7 (at most ECX)
section .data
arr7:   dd 7, 7, 7, 3, 7, 7, 0, 0
section .text
TABLE TLZ, 1
        dd 2
        dd 5
        dd 8
ENDTABLE TLZ
OP "loopz", FL_ZF, TLZ, FIN0, 2
        mov ecx, eax
        mov esi, arr7
.l:     mov edx, [esi]
        add esi, 4
        cmp edx, 7
        loopz .l
        mov eax, esi
        sub eax, arr7
        mov edx, ecx
        ret
OP "loopnz", FL_ZF, TLZ, FIN0, 2
        mov ecx, eax
        mov esi, arr7
.l:     mov edx, [esi]
        add esi, 4
        cmp edx, 3
        loopnz .l
        mov eax, esi
        sub eax, arr7
        mov edx, ecx
        ret
TABLE TJCX, 1
        dd 0
        dd 1
        dd 0x00010000
ENDTABLE TJCX
OP "jecxz", FL_ALL, TJCX, FINA, 1
        mov ecx, eax
        mov eax, 1
        jecxz .z
        mov eax, 2
.z:     ret
OP "jcxz (a16)", FL_ALL, TJCX, FIN0, 1
        mov ecx, eax
        mov eax, 1
        a16 jcxz .z
        mov eax, 2
.z:     ret
OP "loop never-taken at ecx=1, backward jmp", 0, NOROW, FIN0, 2
        mov ecx, 1
        mov eax, 0
.l:     inc eax
        loop .l
        mov edx, 3
.b:     dec edx
        jnz .b
        mov edx, ecx
        ret

; ---------------------------------------------------------- call/ret
sub_add:                        ; eax = [esp+4] + [esp+8]; ret 8
        mov eax, [esp+4]
        add eax, [esp+8]
        ret 8
sub_ret0:
        mov eax, 0x1234
        ret 0
sub_ret16:
        mov eax, [esp+4]
        ret 16
OP "call; ret imm16", 0, NOROW, FIN0, 3
        mov ebx, esp
        push dword 0x1000
        push dword 0x0234
        call sub_add
        mov edx, eax
        call sub_ret0
        push dword 1
        push dword 2
        push dword 3
        push dword 0x55
        call sub_ret16          ; eax = 0x55, pops all four
        sub ebx, esp            ; 0
        ret
OP "call next; pop (get eip)", 0, NOROW, FIN0, 1
        call .next
.next:  pop eax
        sub eax, .next
        ret
OP "ret flags preserved", FL_ALL, NOROW, FIN2, 1
        call sub_ret0
        ret
fib:                            ; eax = fib(eax), recursive
        cmp eax, 2
        jb .d
        push eax
        dec eax
        call fib
        xchg eax, [esp]
        sub eax, 2
        call fib
        pop edx
        add eax, edx
.d:     ret
TABLE TFIB, 1
        dd 0
        dd 1
        dd 10
        dd 20
ENDTABLE TFIB
OP1 "fib recursive", 0, TFIB, FIN0, 1, call fib
ack:                            ; eax = A(eax, ebx) (small)
        test eax, eax
        jnz .m
        lea eax, [ebx+1]
        ret
.m:     test ebx, ebx
        jnz .n
        dec eax
        mov ebx, 1
        jmp ack
.n:     push eax
        dec ebx
        call ack
        mov ebx, eax
        pop eax
        dec eax
        jmp ack
TABLE TACK, 2
        dd 1, 3
        dd 2, 3
        dd 3, 3
ENDTABLE TACK
OP1 "ackermann", 0, TACK, FIN0, 1, call ack

; ------------------------------------------------------------ indirect
section .data
align 4
jtab:   dd case0, case1, case2, case3, case4
ptrs:   dd sub_a, sub_b, sub_c
section .text
sub_a:  mov eax, 0xaaaa
        ret
sub_b:  mov eax, 0xbbbb
        ret
sub_c:  mov eax, 0xcccc
        ret
TABLE TSW, 1
        dd 0
        dd 1
        dd 2
        dd 3
        dd 4
        dd 7
ENDTABLE TSW
OP "jmp [jtab+eax*4] switch", 0, TSW, FIN0, 1
        cmp eax, 4
        ja .def
        jmp [jtab+eax*4]
.def:   mov eax, -1
        ret
case0:  mov eax, 100
        ret
case1:  mov eax, 101
        ret
case2:  mov eax, 102
        ret
case3:  add eax, 200
        ret
case4:  lea eax, [eax*8]
        ret
OP "jmp reg", 0, TSW, FIN0, 1
        cmp eax, 4
        ja .def
        mov edx, [jtab+eax*4]
        jmp edx
.def:   mov eax, -2
        ret
OP "call reg / call [mem] / call [reg+disp]", 0, NOROW, FIN0, 4
        mov edx, sub_a
        call edx
        mov ecx, eax
        call [ptrs+4]
        mov edx, eax
        mov esi, ptrs
        call [esi+8]
        mov ebx, eax
        mov edi, 1
        call [ptrs+edi*4-4]
        ret
OP "push ret-addr; ret (computed jump)", 0, NOROW, FIN0, 1
        push dword .there
        ret
        mov eax, 0xbad
        ret
.there: mov eax, 0x900d
        ret
OP "jmp short/near chain", 0, NOROW, FIN0, 1
        mov eax, 0
        jmp short .a
.c:     add eax, 4
        jmp near .d
.b:     add eax, 2
        jmp short .c
.a:     add eax, 1
        jmp .b
        times 200 nop
.d:     add eax, 8
        ret

END_TESTS
