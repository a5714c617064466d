; insn-move: mov/movzx/movsx/lea (ModRM/SIB forms), xchg/xadd/cmpxchg/
; cmpxchg8b, bswap, push/pop forms, pusha/popa, pushf/popf, enter/leave,
; lahf/sahf, cbw/cwde/cwd/cdq, xlat, setcc and cmovcc (all 16 conditions).
; Addresses are never printed raw: only values loaded through them, or
; offsets from a known label / the stack pointer.
%include "harness.inc"

section .text
main:
        call run_optab
        PUTS "done", 10
        xor eax, eax
        ret

section .data
align 4
mdat:
%assign i 0
%rep 64
        dd (0x01234567 + i * 0x11111111) & 0xffffffff
%assign i i+1
%endrep
xtab:                           ; xlat table: xtab[i] = i ^ 0x5a
%assign i 0
%rep 256
        db i ^ 0x5a
%assign i i+1
%endrep

section .bss
alignb 8
mtmp:   resd 4
mout:   resd 16
tstack: resb 256
tstack_top:
fchain: resd 8
savesp: resd 1

section .text
%macro SETREGS 0                ; known register values for lea
        mov eax, 0x11111111
        mov ebx, 0x00000100
        mov ecx, 0x00000003
        mov edx, 0xfffffff0
        mov esi, 0x40000000
        mov edi, 0x7ffffff0
        mov ebp, 0x00010000
%endmacro

; ------------------------------------------------------------ mov loads
OPN "mov [disp32]", 0, NOROW, FIN0, 1, {mov eax, [mdat+8]}
OPN "mov [ecx]", 0, NOROW, FIN0, 1, {mov ecx, mdat+12}, {mov eax, [ecx]}
OPN "mov [edx-8]", 0, NOROW, FIN0, 1, {mov edx, mdat+64}, {mov eax, [edx-8]}
OPN "mov [ebx+disp32]", 0, NOROW, FIN0, 1, {mov ebx, mdat-0x1000}, {mov eax, [ebx+0x1000+20]}
OPN "mov [esi+edi]", 0, NOROW, FIN0, 1, {mov esi, mdat}, {mov edi, 24}, {mov eax, [esi+edi]}
OPN "mov [esi+edi*2+4]", 0, NOROW, FIN0, 1, {mov esi, mdat}, {mov edi, 10}, {mov eax, [esi+edi*2+4]}
OPN "mov [ebx+ecx*4]", 0, NOROW, FIN0, 1, {mov ebx, mdat}, {mov ecx, 7}, {mov eax, [ebx+ecx*4]}
OPN "mov [edx+eax*8+disp32]", 0, NOROW, FIN0, 1, {mov edx, mdat-0x200}, {mov eax, 3}, {mov eax, [edx+eax*8+0x204]}
OPN "mov [ecx*4+disp32]", 0, NOROW, FIN0, 1, {mov ecx, 5}, {mov eax, [mdat+ecx*4]}
OPN "mov [ecx*1+disp32] (sib)", 0, NOROW, FIN0, 1, {mov ecx, 44}, {db 0x8b, 0x04, 0x0d}, {dd mdat}
OPN "mov [ebp]", 0, NOROW, FIN0, 1, {mov ebp, mdat+16}, {mov eax, [ebp]}
OPN "mov [ebp+esi*4-4]", 0, NOROW, FIN0, 1, {mov ebp, mdat}, {mov esi, 9}, {mov eax, [ebp+esi*4-4]}
OPN "mov [ebx+ecx*8] ecx<0", 0, NOROW, FIN0, 1, {mov ebx, mdat+40}, {mov ecx, -2}, {mov eax, [ebx+ecx*8]}
OPN "mov [eax] (dest=base)", 0, NOROW, FIN0, 1, {mov eax, mdat+4}, {mov eax, [eax]}
OPN "mov [edi-0x10000+0x30]", 0, NOROW, FIN0, 1, {mov edi, mdat+0x10000}, {mov eax, [edi-0x10000+0x30]}
OPN "mov [eax+4] (sib, no index)", 0, NOROW, FIN0, 1, {mov eax, mdat}, {db 0x8b, 0x44, 0x20, 0x04}
OPN "mov ax,[ebx+esi*2]", 0, NOROW, FIN0, 1, {mov ebx, mdat}, {mov esi, 3}, {mov eax, 0x99999999}, {mov ax, [ebx+esi*2]}
OPN "mov al,[edx+1]", 0, NOROW, FIN0, 1, {mov edx, mdat}, {mov eax, 0x99999999}, {mov al, [edx+1]}
OPN "mov ah,[edx+2]", 0, NOROW, FIN0, 1, {mov edx, mdat}, {mov eax, 0x99999999}, {mov ah, [edx+2]}
OPN "mov bh,[moffs] / al moffs", 0, NOROW, FIN0, 2, {mov ebx, 0x99999999}, {mov bh, [mdat+5]}, {mov eax, 0x88888888}, {mov al, [mdat+6]}, {mov edx, ebx}
OPN "mov unaligned [m+3]", 0, NOROW, FIN0, 1, {mov eax, [mdat+3]}
OP "mov [esp] forms", 0, NOROW, FIN0, 4
        push dword 0x11111111
        push dword 0x22222222
        push dword 0x33333333
        mov ecx, 2
        mov eax, [esp]
        mov edx, [esp+4]
        mov ebx, [esp+ecx*4]
        db 0x8b, 0x0c, 0x64     ; mov ecx, [esp] with scale bits, no index
        add esp, 12
        ret

; ----------------------------------------------------------- mov stores
OP "mov stores", 0, NOROW, FIN0, 4
        mov dword [mtmp], 0xaaaaaaaa
        mov dword [mtmp+4], 0xbbbbbbbb
        mov dword [mtmp+8], 0xcccccccc
        mov dword [mtmp+12], 0xdddddddd
        mov ebx, mtmp
        mov ecx, 1
        mov edx, 0x12345678
        mov [ebx+ecx*4], edx    ; [mtmp+4] = 12345678
        mov [ebx+9], dh         ; byte 9 = 56
        mov word [ebx+14], 0xbeef
        mov byte [mtmp+0], 0x42
        mov [mtmp+2], dx        ; 66 89 moffs-ish
        mov eax, [mtmp]
        mov edx, [mtmp+4]
        mov ebx, [mtmp+8]
        mov ecx, [mtmp+12]
        ret
OP "mov moffs eax/ax/al", 0, NOROW, FIN0, 2
        mov eax, 0xcafef00d
        mov [mtmp], eax         ; a3
        mov ax, 0x1234
        mov [mtmp+4], ax        ; 66 a3
        mov al, 0x56
        mov [mtmp+6], al        ; a2
        mov byte [mtmp+7], 0x9a
        mov eax, [mtmp]
        mov edx, [mtmp+4]
        ret
OP "mov r,imm all regs", 0, NOROW, FIN0, 4
        mov eax, 1
        mov ecx, 2
        mov edx, 3
        mov ebx, 4
        mov esi, 5
        mov edi, 6
        mov ebp, 7
        add eax, esi
        add ecx, edi
        add edx, ebp
        mov bh, 0x7f
        mov ch, 0x80
        mov dl, 0xff
        mov ax, 0xabcd
        ret
OP "mov r,r 8/16/32", 0, NOROW, FIN0, 4
        mov eax, 0x11223344
        mov ebx, 0x55667788
        mov ecx, 0x99aabbcc
        mov edx, 0xddeeff00
        mov al, bh
        mov bl, ch
        mov ch, dl
        mov dx, ax
        mov esi, ecx
        db 0x8b, 0xce           ; mov ecx, esi (8b form)
        db 0x88, 0xe7           ; mov bh, ah  (88 form)
        ret

; ------------------------------------------------------------------ lea
OPN "lea [ebx+ecx*4+16]", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [ebx+ecx*4+16]}
OPN "lea [esi+edi]", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [esi+edi]}
OPN "lea [edx+edx*8]", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [edx+edx*8]}
OPN "lea [eax*2] (sib no base)", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [nosplit eax*2]}
OPN "lea [ecx*8-5]", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [ecx*8-5]}
OPN "lea [ebp+0]", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [ebp]}
OPN "lea [ebp+esi*2+0x7f]", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [ebp+esi*2+0x7f]}
OPN "lea [edi+0x20] wrap", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [edi+edx*2+0x80000040]}
OPN "lea [disp32]", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [0x89abcdef]}
OPN "lea [eax-1]", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [eax-1]}
OPN "lea [esp+8]-esp", 0, NOROW, FIN0, 1, {lea eax, [esp+8]}, {sub eax, esp}
OPN "lea [esp+ecx*4]-esp", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [esp+ecx*4]}, {sub eax, esp}
OPN "lea16 ax,[ebx+ecx*8+0x12345]", 0, NOROW, FIN0, 1, {SETREGS}, {lea ax, [ebx+ecx*8+0x12345]}
OPN "lea a16 [bx+si+0x1234]", 0, NOROW, FIN0, 1, {SETREGS}, {mov esi, 0x4321fff0}, {lea eax, [bx+si+0x1234]}
OPN "lea a16 [bp+di-2]", 0, NOROW, FIN0, 1, {SETREGS}, {lea eax, [bp+di-2]}
OPN "lea a16 [si]", 0, NOROW, FIN0, 1, {SETREGS}, {mov esi, 0x1234abcd}, {lea eax, [si]}
OPN "lea a16 [bx+disp16 0xff80]", 0, NOROW, FIN0, 1, {SETREGS}, {db 0x67, 0x8d, 0x87, 0x80, 0xff}
OPN "lea a16 [0x8765]", 0, NOROW, FIN0, 1, {SETREGS}, {a16 lea eax, [word 0x8765]}
OPN "lea a16 16-bit [bx+di]", 0, NOROW, FIN0, 1, {SETREGS}, {lea ax, [bx+di]}

; ------------------------------------------------------- movzx / movsx
TABLE TX, 1
        dd 0x12345680
        dd 0x1234ff7f
        dd 0x12348001
        dd 0xabcd7fff
ENDTABLE TX
OPN "movzx r32,r8", 0, TX, FIN0, 1, {movzx eax, al}
OPN "movzx r32,r8h", 0, TX, FIN0, 1, {movzx eax, ah}
OPN "movzx r32,r16", 0, TX, FIN0, 1, {movzx eax, ax}
OPN "movzx r16,r8", 0, TX, FIN0, 1, {mov ecx, eax}, {mov eax, 0x99999999}, {movzx ax, cl}
OPN "movsx r32,r8", 0, TX, FIN0, 1, {movsx eax, al}
OPN "movsx r32,r8h", 0, TX, FIN0, 1, {movsx eax, ah}
OPN "movsx r32,r16", 0, TX, FIN0, 1, {movsx eax, ax}
OPN "movsx r16,r8", 0, TX, FIN0, 1, {mov ecx, eax}, {mov eax, 0x99999999}, {movsx ax, cl}
OPN "movzx r32,[m8]", 0, TX, FIN0, 1, {mov [mtmp], eax}, {movzx eax, byte [mtmp]}
OPN "movsx r32,[m16]", 0, TX, FIN0, 1, {mov [mtmp], eax}, {movsx eax, word [mtmp]}
OPN "movsx r32,[m8+1]", 0, TX, FIN0, 1, {mov [mtmp], eax}, {movsx edx, byte [mtmp+1]}, {mov eax, edx}
OPN "movzx r32,[m16+1]", 0, TX, FIN0, 1, {mov [mtmp], eax}, {movzx eax, word [mtmp+1]}

; ------------------------------------------------------ xchg/xadd/bswap
TABLE T2, 2
        dd 0x11223344, 0x55667788
        dd 0x80000000, 0x80000000
        dd 0xffffffff, 0x00000001
        dd 0x7fff00ff, 0x00010001
ENDTABLE T2
OP1 "xchg eax,ebx", 0, T2, FIN0, 3, xchg eax, ebx
OPN "xchg ecx,edx (87)", 0, T2, FIN0, 2, {mov ecx, eax}, {mov edx, ebx}, {xchg ecx, edx}, {mov eax, ecx}
OP1 "xchg al,bh", 0, T2, FIN0, 3, xchg al, bh
OP1 "xchg ax,bx", 0, T2, FIN0, 3, xchg ax, bx
OPN "xchg [m],ebx", 0, T2, FIN0, 3, {mov [mtmp], eax}, {xchg [mtmp], ebx}, {mov eax, [mtmp]}
OPN "xchg ah,[m]", 0, T2, FIN0, 3, {mov [mtmp], ebx}, {xchg ah, [mtmp]}, {mov ebx, [mtmp]}
OP1 "xadd32 eax,ebx", FL_ALL, T2, FIN0, 3, xadd eax, ebx
OP1 "xadd16 ax,bx", FL_ALL, T2, FINA, 3, xadd ax, bx
OP1 "xadd8 al,bl", FL_ALL, T2, FIN0, 3, xadd al, bl
OPN "xadd32 [m],ebx", FL_ALL, T2, FIN0, 3, {mov [mtmp], eax}, {xadd [mtmp], ebx}, {mov eax, [mtmp]}
OPN "xadd32 ebx,ebx", FL_ALL, T2, FIN0, 3, {xadd ebx, ebx}
OP1 "bswap eax", 0, T2, FIN0, 1, bswap eax
OPN "bswap ecx,esi,ebp", 0, T2, FIN0, 4, {mov ecx, eax}, {mov esi, ebx}, {mov ebp, 0x01020304}, {bswap ecx}, {bswap esi}, {bswap ebp}, {mov eax, esi}, {mov edx, ebp}

; ---------------------------------------------------------------- cmpxchg
TABLE TCX, 3                    ; eax = expected, ebx = new, ecx = current
        dd 0x11111111, 0x22222222, 0x11111111
        dd 0x11111111, 0x22222222, 0x33333333
        dd 0x80000000, 0x00000001, 0x7fffffff
        dd 0x00000000, 0xffffffff, 0x00000000
ENDTABLE TCX
OP1 "cmpxchg32 ecx,ebx", FL_ALL, TCX, FIN0, 4, cmpxchg ecx, ebx
OP1 "cmpxchg16 cx,bx", FL_ALL, TCX, FINA, 4, cmpxchg cx, bx
OP1 "cmpxchg8 cl,bl", FL_ALL, TCX, FIN0, 4, cmpxchg cl, bl
OPN "cmpxchg32 [m],ebx", FL_ALL, TCX, FIN0, 4, {mov [mtmp], ecx}, {cmpxchg [mtmp], ebx}, {mov ecx, [mtmp]}
OPN "cmpxchg8 [m],bh", FL_ALL, TCX, FIN0, 4, {mov [mtmp], ecx}, {cmpxchg [mtmp], bh}, {mov ecx, [mtmp]}
; cmpxchg8b: m64 == EDX:EAX ? m64 := ECX:EBX, ZF=1 : EDX:EAX := m64, ZF=0
TABLE TC8, 4                    ; eax, ebx, ecx, edx; memory = 0x89abcdef_01234567
        dd 0x01234567, 0x55555555, 0x66666666, 0x89abcdef
        dd 0x01234567, 0x55555555, 0x66666666, 0x89abcdee
        dd 0x01234566, 0x55555555, 0x66666666, 0x89abcdef
ENDTABLE TC8
OP "cmpxchg8b [m]", FL_ALL, TC8, FIN2, 4
        mov dword [mtmp], 0x01234567
        mov dword [mtmp+4], 0x89abcdef
        cmpxchg8b [mtmp]
        mov ebx, [mtmp]
        mov ecx, [mtmp+4]
        ret
OP "cmpxchg8b [esi+8]", FL_ZF, TC8, FIN0, 4
        mov dword [mtmp+8], 0x01234567
        mov dword [mtmp+12], 0x89abcdef
        mov esi, mtmp
        cmpxchg8b [esi+8]
        mov ebx, [mtmp+8]
        mov ecx, [mtmp+12]
        ret

; ------------------------------------------------------------- push/pop
; outputs: EAX/EDX = values, EBX = ESP change (bytes)
OP "push imm8 -2 / imm32", 0, NOROW, FIN0, 3
        mov ebx, esp
        push byte -2
        push dword 0x12345678
        pop edx
        pop eax
        sub ebx, esp
        ret
OP "push imm8 0x7f, pop ecx", 0, NOROW, FIN0, 3
        mov ebx, esp
        push byte 0x7f
        pop ecx
        mov eax, ecx
        xor edx, edx
        sub ebx, esp
        ret
OP "push word imm (66 68/6a)", 0, NOROW, FIN0, 3
        mov ebx, esp
        push dword 0xaaaaaaaa
        push word 0x1234
        push word -3
        mov eax, [esp]          ; fffd1234
        mov edx, [esp+4]        ; aaaaaaaa
        sub ebx, esp            ; 8
        add esp, 8
        ret
OP "push/pop r16", 0, NOROW, FIN0, 3
        mov eax, 0x11112222
        mov ecx, 0x33334444
        mov edx, 0x55556666
        mov ebx, esp
        push ax
        push cx
        pop dx                  ; 4444
        sub ebx, esp            ; 2
        pop ax                  ; 2222
        ret
OP "push/pop mem32/mem16", 0, NOROW, FIN0, 3
        mov dword [mtmp], 0xdeadbeef
        mov dword [mtmp+4], 0x01020304
        push dword [mtmp]
        push word [mtmp+4]
        pop word [mtmp+8]
        pop dword [mtmp+12]
        mov eax, [mtmp+8]
        mov edx, [mtmp+12]
        mov ebx, 0
        ret
OP "push esp / pop esp", 0, NOROW, FIN0, 3
        mov ecx, esp
        push esp                ; pushes the old ESP
        pop eax
        sub eax, ecx            ; 0
        push dword 0x77
        mov edx, esp
        push edx
        pop esp                 ; ESP := value popped (= edx)
        mov ebx, esp
        sub ebx, edx            ; 0
        pop edx                 ; 0x77
        ret
OP "pop [esp] / push [esp+4]", 0, NOROW, FIN0, 3
        push dword 0xaaaa0001
        push dword 0xbbbb0002
        pop dword [esp]         ; address computed after the increment
        mov eax, [esp]          ; bbbb0002
        push dword 0xcccc0003
        push dword [esp+4]      ; address computed before the decrement
        pop edx                 ; bbbb0002
        pop ebx                 ; cccc0003
        pop ecx
        ret
OP "pushad/popad", 0, NOROW, FIN0, 4
        mov [savesp], esp
        mov eax, 0xa0
        mov ecx, 0xc1
        mov edx, 0xd2
        mov ebx, 0xb3
        mov ebp, 0xb5
        mov esi, 0x56
        mov edi, 0xd7
        pushad
        ; image: edi esi ebp esp ebx edx ecx eax (from low to high)
        mov eax, [esp+28]
        shl eax, 8
        or eax, [esp+24]
        shl eax, 8
        or eax, [esp+20]
        shl eax, 8
        or eax, [esp+16]        ; eax = a0c1d2b3
        mov edx, [esp]
        shl edx, 8
        or edx, [esp+4]
        shl edx, 8
        or edx, [esp+8]         ; edx = d756b5
        mov ecx, [savesp]
        sub ecx, [esp+12]       ; ESP slot = ESP before pushad -> 0
        mov dword [esp+12], 0x12345678  ; ignored by popad
        mov dword [esp+28], 0x1111
        mov dword [esp+0], 0x2222
        popad
        mov ebx, esp
        sub ebx, [savesp]       ; 0
        shl eax, 16
        or eax, edi             ; 11112222
        mov edx, ebp
        ret
OP "pushaw/popaw (66)", 0, NOROW, FIN0, 4
        mov [savesp], esp
        mov eax, 0xffff0001
        mov ecx, 0xffff0002
        mov edx, 0xffff0003
        mov ebx, 0xffff0004
        mov ebp, 0xffff0005
        mov esi, 0xffff0006
        mov edi, 0xffff0007
        pushaw
        mov ecx, [savesp]
        sub ecx, esp            ; 16
        mov eax, [esp+14]       ; ax | garbage? -> read word pairs
        mov ax, [esp+14]        ; ax
        shl eax, 16
        mov ax, [esp]           ; di
        mov word [esp+14], 0x0aaa
        popaw
        mov edx, eax
        mov ebx, esp
        sub ebx, [savesp]
        ret
OP "pushfd/popfd/pushfw", FL_ALL, NOROW, FIN0, 3
        mov ebx, esp
        push dword 0x8d5
        popfd
        pushfd
        pop eax
        and eax, FL_ALL
        pushfw
        sub ebx, esp            ; 2
        pop dx
        and edx, FL_ALL
        push word 0x0001
        popfw                   ; only CF set now
        ret

; ---------------------------------------------------------- enter/leave
; ESP is switched to tstack; EBP points into fchain whose dwords below it
; hold 0xf0000001.. . Printed: ESP and EBP offsets from tstack_top, then
; the new frame contents (addresses relative to tstack_top).
%macro ENTERCASE 3
OP %1, 0, NOROW, FIN0, 3
        mov [savesp], esp
        mov dword [fchain+0], 0xf0000004
        mov dword [fchain+4], 0xf0000003
        mov dword [fchain+8], 0xf0000002
        mov dword [fchain+12], 0xf0000001
        mov esp, tstack_top
        mov ebp, fchain+16
        enter %2, %3
        mov eax, esp
        sub eax, tstack_top     ; EAX = ESP - tstack_top
        mov edx, ebp
        sub edx, tstack_top     ; EDX = EBP - tstack_top
        mov ebx, [tstack_top-4]
        sub ebx, tstack_top     ; EBX = saved EBP - tstack_top
%if %3 > 0
        PUTS " copied:"
%assign j 2
%rep %3 - 1
        PUTC ' '
        PHEX8 [tstack_top-4*j]
%assign j j+1
%endrep
        PUTS " temp="
        mov ecx, [tstack_top-4*(%3+1)]
        sub ecx, tstack_top
        PHEX8 ecx
        PUTC ' '
%endif
        leave
        mov esi, esp
        sub esi, tstack_top
        mov edi, ebp
        sub edi, tstack_top
        mov esp, [savesp]
        PUTS " leave: esp "
        PHEX8 esi
        PUTS " ebp "
        PHEX8 edi
        PUTS " |"
        ret
%endmacro
ENTERCASE "enter 16,0", 16, 0
ENTERCASE "enter 8,1", 8, 1
ENTERCASE "enter 4,3", 4, 3
ENTERCASE "enter 0,2", 0, 2
OP "enter 0,0 / leave", 0, NOROW, FIN0, 2
        mov [savesp], esp
        mov esp, tstack_top
        mov ebp, 0x12345678
        enter 0, 0
        mov eax, ebp
        sub eax, esp            ; 0
        leave
        mov edx, ebp
        mov ebp, esp
        sub ebp, tstack_top     ; 0
        mov esp, [savesp]
        ret

; ------------------------------------------------------------- lahf/sahf
        [section .rodata]
FINF:   dd 4, 0x000, 0x0d5, 0x801, 0x044        ; flags-in variety
        section .text
OP1 "lahf", 0, TX, FINF, 1, lahf
TABLE TAH, 1
        dd 0x0000ff00
        dd 0x00000000
        dd 0x0000d500
        dd 0x00002a00
        dd 0x00004100
ENDTABLE TAH
OP1 "sahf", FL_ALL, TAH, FIN2, 1, sahf

; ---------------------------------------------------- cbw/cwde/cwd/cdq
TABLE TCB, 1
        dd 0x12345680
        dd 0x1234567f
        dd 0x12348000
        dd 0x80000000
        dd 0x7fffffff
ENDTABLE TCB
OPN "cbw", 0, TCB, FIN0, 2, {mov edx, 0x99999999}, {cbw}
OPN "cwde", 0, TCB, FIN0, 2, {mov edx, 0x99999999}, {cwde}
OPN "cwd", 0, TCB, FIN0, 2, {mov edx, 0x99999999}, {cwd}
OPN "cdq", 0, TCB, FIN0, 2, {mov edx, 0x99999999}, {cdq}

; ------------------------------------------------------------------ xlat
TABLE TXL, 1
        dd 0x12345600
        dd 0x123456ff
        dd 0xabcdef5a
ENDTABLE TXL
OPN "xlat", 0, TXL, FIN0, 1, {mov ebx, xtab}, {xlatb}

; ---------------------------------------------------- setcc / cmovcc
; condition order: o no b ae e ne be a s ns p np l ge le g (bit 0..15)
        [section .rodata]
FINCC:  dd 12, 0, FL_CF, FL_ZF, FL_SF, FL_OF, FL_PF, FL_CF|FL_ZF, FL_SF|FL_OF
        dd FL_ZF|FL_SF, FL_ZF|FL_OF, FL_SF|FL_OF|FL_ZF, FL_ALL
        section .text
; EAX = setcc r8 mask, EDX = setcc [m] mask, EBX = cmovcc r32,[m] mask,
; ECX = cmovcc r16,r16 mask
OP "setcc/cmovcc", 0, NOROW, FINCC, 4
        mov esi, mdat
%macro CCSTEP 2 ; cc, k
        set%1 al
        mov [mout+%2], al
        set%1 [mout+16+%2]
        mov ebx, 0
        cmov%1 ebx, [esi+4]     ; ebx := mdat[1] if cc
        mov [mtmp+%2*0], ebx
        mov ecx, 0
        mov edx, 0x12345678
        cmov%1 cx, dx
        mov ebx, [mtmp]
        mov [tstack+%2*4], ebx
        mov [tstack+64+%2*4], ecx
%endmacro
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
        ; fold the per-condition results into bit masks
        xor eax, eax
        xor edx, edx
        xor ebx, ebx
        xor ecx, ecx
        mov edi, 15
.fold:  shl eax, 1
        shl edx, 1
        shl ebx, 1
        shl ecx, 1
        movzx esi, byte [mout+edi]
        or eax, esi
        movzx esi, byte [mout+16+edi]
        or edx, esi
        mov esi, [tstack+edi*4]
        cmp esi, [mdat+4]
        jne .n1
        or ebx, 1
.n1:    cmp dword [tstack+64+edi*4], 0x5678
        jne .n2
        or ecx, 1
.n2:    dec edi
        jns .fold
        ret
OP "setcc alias encodings", 0, NOROW, FINCC, 2
        ; setc/setnae, setz, setpe, setnge, setnbe, setpo: alias mnemonics
        ; EAX bytes (high..low): setz setc setnge setpe; EDX: setpo setnbe
        mov eax, 0
        mov edx, 0
        setc al
        setz ah
        setpe dl
        setnge dh
        setnbe cl
        setpo ch
        shl eax, 16
        mov ax, dx
        movzx edx, cx
        ret

END_TESTS
