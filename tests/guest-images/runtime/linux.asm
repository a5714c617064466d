; Host-check flavour: the same guest code linked as a Linux i386 program
; (int 0x80 syscalls). Used only by build.sh --host-check to compare the
; QEMU output with what the real host CPU produces. Not part of the images.
bits 32
section .text
global _start, rt_putc, rt_exit
extern main

_start:
        call main
        push eax
        call rt_exit

rt_putc:
        pushad
        mov eax, [obuf_len]
        mov cl, [esp+36]
        mov [obuf+eax], cl
        inc eax
        mov [obuf_len], eax
        cmp cl, 10              ; flush at end of line (keeps output on a crash)
        je .fl
        cmp eax, 4096
        jb .out
.fl:
        call flush
.out:   popad
        ret

flush:
        mov eax, 4              ; write(1, obuf, len)
        mov ebx, 1
        mov ecx, obuf
        mov edx, [obuf_len]
        int 0x80
        mov dword [obuf_len], 0
        ret

rt_exit:
        call flush
        mov eax, 1              ; exit(code)
        mov ebx, [esp+4]
        int 0x80

section .bss
obuf_len: resd 1
obuf:     resb 4096
