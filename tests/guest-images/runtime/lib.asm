; Shared runtime helpers (cdecl; every function preserves all general
; registers, EFLAGS are clobbered). Built on rt_putc.
bits 32
section .text
global rt_puts, rt_print_hex, rt_print_dec, memcpy, memmove, memset, memcmp
extern rt_putc

; void rt_puts(const char *s)  -- no newline appended
rt_puts:
        pushad
        mov esi, [esp+36]
.l:     movzx eax, byte [esi]
        test eax, eax
        jz .d
        push eax
        call rt_putc
        add esp, 4
        inc esi
        jmp .l
.d:     popad
        ret

; void rt_print_hex(unsigned v, int digits)  -- lowercase, digits 1..8
rt_print_hex:
        pushad
        mov ebx, [esp+36]
        mov ecx, [esp+40]
.l:     dec ecx
        js .d
        mov eax, ebx
        shl ecx, 2
        shr eax, cl
        shr ecx, 2
        and eax, 15
        movzx eax, byte [hexdig+eax]
        push eax
        call rt_putc
        add esp, 4
        jmp .l
.d:     popad
        ret

; void rt_print_dec(unsigned v)
rt_print_dec:
        pushad
        mov eax, [esp+36]
        mov ebx, 10
        xor ecx, ecx
.div:   xor edx, edx
        div ebx
        push edx
        inc ecx
        test eax, eax
        jnz .div
.out:   pop eax
        add eax, '0'
        push eax
        call rt_putc
        add esp, 4
        loop .out
        popad
        ret

; void *memcpy(void *d, const void *s, size_t n)
memcpy:
        push esi
        push edi
        mov edi, [esp+12]
        mov esi, [esp+16]
        mov ecx, [esp+20]
        mov eax, edi
        cld
        rep movsb
        pop edi
        pop esi
        ret

; void *memmove(void *d, const void *s, size_t n)
memmove:
        push esi
        push edi
        mov edi, [esp+12]
        mov esi, [esp+16]
        mov ecx, [esp+20]
        mov eax, edi
        cmp edi, esi
        jbe .fwd
        lea esi, [esi+ecx-1]
        lea edi, [edi+ecx-1]
        std
        rep movsb
        cld
        jmp .d
.fwd:   cld
        rep movsb
.d:     pop edi
        pop esi
        ret

; void *memset(void *d, int c, size_t n)
memset:
        push edi
        mov edi, [esp+8]
        mov eax, [esp+12]
        mov ecx, [esp+16]
        push edi
        cld
        rep stosb
        pop eax
        pop edi
        ret

; int memcmp(const void *a, const void *b, size_t n)
memcmp:
        push esi
        push edi
        mov esi, [esp+12]
        mov edi, [esp+16]
        mov ecx, [esp+20]
        xor eax, eax
        cld
        repe cmpsb
        je .d
        movzx eax, byte [esi-1]
        movzx ecx, byte [edi-1]
        sub eax, ecx
.d:     pop edi
        pop esi
        ret

section .rodata
hexdig: db "0123456789abcdef"
