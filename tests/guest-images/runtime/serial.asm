; Console and exit for the bare-metal (multiboot) flavour:
; COM1 16550 at 0x3F8, exit through isa-debug-exit at port 0xF4.
bits 32
section .text
global rt_putc, rt_exit

COM1     equ 0x3F8
COM1_LSR equ 0x3FD
EXIT_PORT equ 0xF4

; void rt_putc(int c) -- preserves all registers (not EFLAGS)
rt_putc:
        push eax
        push edx
        mov dx, COM1_LSR
.wait:  in al, dx
        test al, 0x20           ; THR empty
        jz .wait
        mov al, [esp+12]
        mov dx, COM1
        out dx, al
        pop edx
        pop eax
        ret

; void rt_exit(int code) -- QEMU exit status becomes (code << 1) | 1
rt_exit:
        mov eax, [esp+4]
        mov dx, EXIT_PORT
        out dx, eax
.halt:  cli
        hlt
        jmp .halt
