; Entry and exit stubs of the differential tester's native harness (see harness.c).
;
; h_run loads the guest registers and EFLAGS from h_in and jumps to the code page; the code
; ends with a jump to h_exit, which stores the guest registers and EFLAGS in h_out and returns
; to h_run's caller on the host stack. Only MOVs run between the guest's last instruction and
; the PUSHFD that records its flags, so they are the guest's (and FNSAVE, which changes no flag). The guest stack is never touched
; by the stubs (it lies in the compared data buffer).
bits 32

section .data
global h_in, h_out, h_fpu_in, h_fpu_out
h_fpu_in:   times 108 db 0      ; FRSTOR image loaded before the sequence
h_fpu_out:  times 108 db 0      ; FNSAVE image stored after it
h_in:       times 9 dd 0        ; EAX ECX EDX EBX ESP EBP ESI EDI (Iced order), EFLAGS
h_out:      times 9 dd 0
h_host_esp: dd 0
h_mxcsr:    dd 0x1F80           ; MXCSR for every run (a sequence's FXRSTOR may change it)
h_code_ptr: dd 0x00400000

section .text
global h_run, h_exit

h_run:
    pushad
    pushfd
    mov [h_host_esp], esp
    frstor [h_fpu_in]
    ; The SSE state FXSAVE stores: MXCSR as Transmeta starts it (0x1F80, its reset value) and
    ; the XMM registers zeroed, so an FXRSTOR of an earlier sequence leaves nothing behind
    ; (the tester masks the XMM area of FXSAVE images anyway, see FlagAnalysis).
    ldmxcsr [h_mxcsr]
    xorps xmm0, xmm0
    xorps xmm1, xmm1
    xorps xmm2, xmm2
    xorps xmm3, xmm3
    xorps xmm4, xmm4
    xorps xmm5, xmm5
    xorps xmm6, xmm6
    xorps xmm7, xmm7
    push dword [h_in + 32]
    popfd
    mov eax, [h_in + 0]
    mov ecx, [h_in + 4]
    mov edx, [h_in + 8]
    mov ebx, [h_in + 12]
    mov esp, [h_in + 16]
    mov ebp, [h_in + 20]
    mov esi, [h_in + 24]
    mov edi, [h_in + 28]
    jmp [h_code_ptr]

h_exit:
    mov [h_out + 0], eax
    mov [h_out + 4], ecx
    mov [h_out + 8], edx
    mov [h_out + 12], ebx
    mov [h_out + 16], esp
    mov [h_out + 20], ebp
    mov [h_out + 24], esi
    mov [h_out + 28], edi
    fnsave [h_fpu_out]          ; no wait: a pending exception is stored, not raised
    mov esp, [h_host_esp]
    pushfd
    pop dword [h_out + 32]
    popfd
    popad
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
