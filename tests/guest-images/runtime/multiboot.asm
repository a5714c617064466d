; Multiboot v1 header and entry stub (serial/QEMU flavour).
; The loader (QEMU -kernel, or Transmeta) enters _start in 32-bit protected
; mode with flat segments, EAX=0x2BADB002, EBX=multiboot info, IF=0.
; We keep the loader's segments/GDT, zero .bss, set up a 64 KiB stack and
; call main(magic, mbinfo); its return value becomes the exit code.
bits 32

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0                  ; ELF image: no a.out kludge, no info needed

section .multiboot
align 4
        dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

section .text
global _start
extern main, rt_exit, __bss_start, __bss_end
_start:
        cld
        mov esi, eax            ; multiboot magic
        mov edx, ebx            ; multiboot info pointer
        mov edi, __bss_start
        mov ecx, __bss_end
        sub ecx, edi
        xor eax, eax
        rep stosb               ; zero .bss (includes the stack)
        mov esp, stack_top
        push edx
        push esi
        call main
        push eax
        call rt_exit            ; does not return

section .bss
align 16
stack:  resb 65536
stack_top:
