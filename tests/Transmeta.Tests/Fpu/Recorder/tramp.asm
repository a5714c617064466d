; x87 recorder trampoline: loads the FPU image and the registers, calls the snippet at 0x1000,
; stores the registers, EFLAGS and the FPU image (FNSAVE, which does not wait).
bits 32
global run_snippet
global fault_resume
extern in_image, out_image, in_regs, out_regs, in_eflags, out_eflags, saved_esp
section .text
run_snippet:
    pushad
    mov [saved_esp], esp
    frstor [in_image]
    mov eax, [in_regs + 0]
    mov ecx, [in_regs + 4]
    mov edx, [in_regs + 8]
    mov ebx, [in_regs + 12]
    mov ebp, [in_regs + 20]
    mov esi, [in_regs + 24]
    mov edi, [in_regs + 28]
    push dword [in_eflags]
    popfd
    mov esp, 0x80000          ; the snippet runs on a stack at 0x80000, as under SnippetRunner
    call 0x1000
    mov esp, [saved_esp]
    pushfd
    pop dword [out_eflags]
    mov [out_regs + 0], eax
    mov [out_regs + 4], ecx
    mov [out_regs + 8], edx
    mov [out_regs + 12], ebx
    mov [out_regs + 20], ebp
    mov [out_regs + 24], esi
    mov [out_regs + 28], edi
    fnsave [out_image]
fault_resume:
    mov esp, [saved_esp]
    popad
    ret
