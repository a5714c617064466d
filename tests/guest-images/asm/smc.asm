; smc: self-modifying code.
;  1. patch the imm32 of an instruction in a called function, re-execute
;  2. patch the imm8 of an instruction in the same block, just ahead of it
;  3. patch an opcode byte (add -> sub -> xor -> and -> or) and re-execute
;  4. patch the rel32 of a jmp (retarget it) and re-execute
;  5. generate code into a buffer, call it; regenerate different code at
;     the same address, call again (including a generated loop)
;  6. rep stosb over NOPs just ahead of the executing instruction
;  7. a loop whose body patches its own immediate on every iteration
;  8. a store that patches the instruction immediately following it
; Each case prints its values and "ok" if they match what an unmodified
; computation predicts; the exit code is the number of failing cases.
%include "runtime.inc"

section .bss
fails:  resd 1
expect: resd 1
alignb 16
gbuf:   resb 256                ; generated code lives here

section .text
; CHECK reg, expected-reg-or-imm: print " ok"/" FAIL" for a single value
%macro CHECK 2
        cmp %1, %2
        je %%ok
        inc dword [fails]
        PUTS " FAIL"
        jmp %%d
%%ok:   PUTS " ok"
%%d:
%endmacro

main:
        mov dword [fails], 0

; ------------------------------------------------------------- case 1
        PUTS "smc1 patch imm32 in called fn:"
        xor esi, esi
.c1:    lea edx, [esi*8+esi+100]        ; new immediate = 9*i + 100
        mov [f1_imm], edx
        mov eax, 1000
        call f1                         ; eax = 1000 + imm
        PUTC ' '
        PDEC eax
        lea edx, [edx+1000]
        CHECK eax, edx
        inc esi
        cmp esi, 5
        jb .c1
        NL

; ------------------------------------------------------------- case 2
        PUTS "smc2 patch imm8 just ahead (same block):"
        xor esi, esi
.c2:    lea edx, [esi+3]
        mov [.c2i+1], dl                ; patch the instruction two below
        mov ebx, 7
.c2i:   db 0xb0, 0x00                   ; mov al, imm8
        movzx eax, al
        add eax, ebx
        PUTC ' '
        PDEC eax
        lea edx, [esi+3+7]
        CHECK eax, edx
        inc esi
        cmp esi, 4
        jb .c2
        NL

; ------------------------------------------------------------- case 3
        PUTS "smc3 patch opcode byte:"
        xor esi, esi
.c3:    mov al, [opcodes+esi]
        mov [f3], al
        mov eax, 0x0000ff0f
        mov ebx, 0x00000ff1
        call f3
        PUTC ' '
        PHEX eax, 8
        CHECK eax, [results3+esi*4]
        inc esi
        cmp esi, 5
        jb .c3
        NL

; ------------------------------------------------------------- case 4
        PUTS "smc4 retarget jmp rel32:"
        xor esi, esi
.c4:    mov edx, [targets4+esi*4]
        sub edx, f4_next                ; rel32 = target - end of the jmp
        mov [f4_rel], edx
        call f4
        PUTC ' '
        PDEC eax
        lea edx, [esi+1]
        imul edx, edx, 11
        CHECK eax, edx
        inc esi
        cmp esi, 3
        jb .c4
        NL

; ------------------------------------------------------------- case 5
        PUTS "smc5 generated code:"
        ; (a) mov eax, imm32 ; add eax, imm32 ; ret  -- four different imms
        xor esi, esi
.c5a:   mov byte [gbuf+0], 0xb8
        lea edx, [esi*4+esi]            ; 5*i
        mov [gbuf+1], edx
        mov byte [gbuf+5], 0x05
        mov dword [gbuf+6], 1000
        mov byte [gbuf+10], 0xc3
        call gbuf
        PUTC ' '
        PDEC eax
        lea edx, [esi*4+esi+1000]
        CHECK eax, edx
        inc esi
        cmp esi, 4
        jb .c5a
        ; (b) different code at the same address: eax = (eax << 3) - 1
        mov esi, gen_b
        mov edi, gbuf
        mov ecx, gen_b_len
        rep movsb
        mov eax, 5
        call gbuf
        PUTC ' '
        PDEC eax
        CHECK eax, 39
        ; (c) a generated loop: eax = sum 1..n, n patched
        mov esi, gen_c
        mov edi, gbuf
        mov ecx, gen_c_len
        rep movsb
        mov esi, 1
.c5c:   lea edx, [esi*8]
        mov [gbuf + gen_c_n - gen_c], edx
        call gbuf
        PUTC ' '
        PDEC eax
        mov ecx, edx
        inc ecx
        imul ecx, edx
        shr ecx, 1
        CHECK eax, ecx
        inc esi
        cmp esi, 4
        jb .c5c
        NL

; ------------------------------------------------------------- case 6
        PUTS "smc6 rep stosb over the code ahead:"
        mov esi, 1
.c6:    mov edi, .c6n                   ; restore 8 NOPs
        mov ecx, 8
        mov al, 0x90
        rep stosb
        mov edi, .c6n                   ; then turn the first esi into inc ebx
        mov ecx, esi
        mov al, 0x43
        xor ebx, ebx
        rep stosb
.c6n:   times 8 nop
        PUTC ' '
        PDEC ebx
        CHECK ebx, esi
        inc esi
        cmp esi, 5
        jb .c6
        NL

; ------------------------------------------------------------- case 7
        PUTS "smc7 loop patches its own body:"
        xor ebx, ebx
        xor esi, esi
.c7:    lea eax, [esi+1]
        mov [.c7i+2], al                ; next iteration adds esi+1
.c7i:   db 0x83, 0xc3, 0x00             ; add ebx, imm8
        inc esi
        cmp esi, 10
        jb .c7
        PUTC ' '
        PDEC ebx
        CHECK ebx, 55
        NL

; ------------------------------------------------------------- case 8
        PUTS "smc8 store patches the very next instruction:"
        mov ecx, 3
        xor edx, edx
.c8:    mov eax, 0
        mov byte [.c8i], 0x40           ; 0x40 = inc eax, replacing a nop
.c8i:   nop
        mov byte [.c8j+1], 0xc2         ; add edx, eax  (01 c2)
.c8j:   db 0x01, 0xd8                   ; add eax, ebx (until patched)
        mov byte [.c8i], 0x90           ; restore
        mov byte [.c8j+1], 0xd8
        loop .c8
        PUTC ' '
        PDEC edx
        CHECK edx, 3
        NL

        PUTS "smc fails="
        PDEC [fails]
        NL
        mov eax, [fails]
        ret

; ------------------------------------------------------------ helpers
f1:     db 0x05                         ; add eax, imm32
f1_imm: dd 0
        ret

f3:     db 0x01, 0xd8                   ; <op> eax, ebx  (opcode patched)
        ret

f4:     db 0xe9                         ; jmp rel32 (patched)
f4_rel: dd 0
f4_next:
        mov eax, -1
        ret
t4a:    mov eax, 11
        ret
t4b:    mov eax, 22
        ret
t4c:    mov eax, 33
        ret

gen_b:  db 0xc1, 0xe0, 0x03             ; shl eax, 3
        db 0x48                         ; dec eax
        db 0xc3
gen_b_len equ $ - gen_b
gen_c:  db 0x31, 0xc0                   ; xor eax, eax
        db 0xb9                         ; mov ecx, imm32
gen_c_n: dd 0
        db 0x01, 0xc8                   ; add eax, ecx
        db 0xe2, 0xfc                   ; loop -4
        db 0xc3
gen_c_len equ $ - gen_c

section .rodata
opcodes:  db 0x01, 0x29, 0x31, 0x21, 0x09       ; add sub xor and or
align 4
results3: dd 0x0000ff0f + 0x00000ff1, 0x0000ff0f - 0x00000ff1
          dd 0x0000ff0f ^ 0x00000ff1, 0x0000ff0f & 0x00000ff1
          dd 0x0000ff0f | 0x00000ff1
targets4: dd t4a, t4b, t4c
