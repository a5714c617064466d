; insn-string: movs/stos/lods/cmps/scas in b/w/d sizes, single and with
; rep/repz/repnz, DF=0 and DF=1, ECX=0, repz cmps stopping at a mismatch,
; overlapping rep movsb, segment-override prefixes.
; Outputs: EAX = checksum of dst (or the loaded/compared value), EDX =
; ESI - src, EBX = EDI - dst, ECX = ECX after. CMPS/SCAS flags are printed
; (all six are defined); the others print flags to show they are unchanged.
; (The 0x67 address-size forms would address memory below 64 KiB; omitted.)
%include "harness.inc"

section .text
main:
        call run_optab
        PUTS "done", 10
        xor eax, eax
        ret

section .bss
alignb 16
        resb 64
src:    resb 4096
        resb 64
dst:    resb 4096
        resb 64

section .text
; fill src[i] = i*7+3 (and src2 differences), dst = 0xee; keeps EFLAGS
reset_str:
        pushfd
        pushad
        cld
        xor ecx, ecx
.l:     lea eax, [ecx*8]
        sub eax, ecx
        add eax, 3
        mov [src+ecx], al
        mov byte [dst+ecx], 0xee
        inc ecx
        cmp ecx, 4096
        jb .l
        popad
        popfd
        ret
; make dst a copy of src (for compare tests), then poke dst[eax] ^= 0x40
; when eax < 4096; keeps EFLAGS
copy_poke:
        pushfd
        pushad
        cld
        mov esi, src
        mov edi, dst
        mov ecx, 1024
        rep movsd
        cmp eax, 4096
        jae .n
        xor byte [dst+eax], 0x40
.n:     popad
        popfd
        ret
; EAX := checksum(dst[0..255]), EDX := ESI-src, EBX := EDI-dst; keeps ECX
; and EFLAGS
report:
        pushfd
        push ecx
        xor eax, eax
        xor ecx, ecx
.l:     rol eax, 5
        movzx edx, byte [dst+ecx]
        add eax, edx
        inc ecx
        cmp ecx, 256
        jb .l
        pop ecx
        mov edx, esi
        sub edx, src
        mov ebx, edi
        sub ebx, dst
        popfd
        ret
; same, but EAX is kept (loaded or compared value)
report_keep:
        push eax
        call report
        pop eax
        ret

%macro SETUP 3 ; src offset, dst offset, ecx
        call reset_str
        mov esi, src+%1
        mov edi, dst+%2
        mov ecx, %3
%endmacro

; --------------------------------------------------------------- movs
OPN "movsb", FL_ALL, NOROW, FINA, 4, {SETUP 5, 9, 77}, {movsb}, {jmp report}
OPN "movsw", FL_ALL, NOROW, FIN0, 4, {SETUP 5, 9, 77}, {movsw}, {jmp report}
OPN "movsd", FL_ALL, NOROW, FIN0, 4, {SETUP 5, 9, 77}, {movsd}, {jmp report}
OPN "movsd std", FL_ALL, NOROW, FIN0, 4, {SETUP 40, 60, 77}, {std}, {movsd}, {cld}, {jmp report}
OPN "movsb std", FL_ALL, NOROW, FIN0, 4, {SETUP 40, 60, 77}, {std}, {movsb}, {cld}, {jmp report}
OPN "rep movsb 13", FL_ALL, NOROW, FIN2, 4, {SETUP 1, 2, 13}, {rep movsb}, {jmp report}
OPN "rep movsw 7", FL_ALL, NOROW, FIN0, 4, {SETUP 1, 2, 7}, {rep movsw}, {jmp report}
OPN "rep movsd 5", FL_ALL, NOROW, FIN0, 4, {SETUP 0, 0, 5}, {rep movsd}, {jmp report}
OPN "rep movsd std 6", FL_ALL, NOROW, FIN0, 4, {SETUP 100, 200, 6}, {std}, {rep movsd}, {cld}, {jmp report}
OPN "rep movsw std 5", FL_ALL, NOROW, FIN0, 4, {SETUP 100, 50, 5}, {std}, {rep movsw}, {cld}, {jmp report}
OPN "rep movsb ecx=0", FL_ALL, NOROW, FIN2, 4, {SETUP 3, 3, 0}, {rep movsb}, {jmp report}
OPN "rep movsd ecx=0 std", FL_ALL, NOROW, FIN0, 4, {SETUP 3, 3, 0}, {std}, {rep movsd}, {cld}, {jmp report}
OP "rep movsb overlap fwd", 0, NOROW, FIN0, 4
        call reset_str
        mov esi, dst
        mov byte [esi], 0x5c
        lea edi, [esi+1]
        mov ecx, 40
        rep movsb               ; replicates dst[0] over dst[1..40]
        sub esi, dst
        add esi, src
        jmp report
OP "rep movsd 1000", 0, NOROW, FIN0, 4
        call reset_str
        mov esi, src+4
        mov edi, dst
        mov ecx, 1000
        rep movsd
        push ecx
        xor eax, eax
        mov ecx, 1000
.l:     add eax, [dst+ecx*4-4]
        rol eax, 1
        loop .l
        pop ecx
        jmp report_keep
OPN "repne movsb (f2: as rep)", FL_ALL, NOROW, FIN0, 4, {SETUP 0, 8, 5}, {repne movsb}, {jmp report}
OPN "es: movsb (override src)", FL_ALL, NOROW, FIN0, 4, {SETUP 4, 4, 3}, {es movsb}, {jmp report}
OPN "cs: rep movsd", FL_ALL, NOROW, FIN0, 4, {SETUP 0, 0, 3}, {db 0x2e}, {rep movsd}, {jmp report}
OPN "ss: lodsd", FL_ALL, NOROW, FIN0, 4, {SETUP 8, 0, 3}, {ss lodsd}, {jmp report_keep}

; --------------------------------------------------------------- stos
OPN "stosb", FL_ALL, NOROW, FIN0, 4, {SETUP 0, 7, 5}, {mov eax, 0x11223344}, {stosb}, {jmp report}
OPN "stosw", FL_ALL, NOROW, FIN0, 4, {SETUP 0, 7, 5}, {mov eax, 0x11223344}, {stosw}, {jmp report}
OPN "stosd", FL_ALL, NOROW, FIN0, 4, {SETUP 0, 7, 5}, {mov eax, 0x11223344}, {stosd}, {jmp report}
OPN "rep stosd 9", FL_ALL, NOROW, FINA, 4, {SETUP 0, 8, 9}, {mov eax, 0xa1b2c3d4}, {rep stosd}, {jmp report}
OPN "rep stosb 100", FL_ALL, NOROW, FIN0, 4, {SETUP 0, 3, 100}, {mov eax, 0x77}, {rep stosb}, {jmp report}
OPN "rep stosb std 10", FL_ALL, NOROW, FIN0, 4, {SETUP 0, 30, 10}, {mov eax, 0x99}, {std}, {rep stosb}, {cld}, {jmp report}
OPN "rep stosw std 4", FL_ALL, NOROW, FIN0, 4, {SETUP 0, 30, 4}, {mov eax, 0xbeef}, {std}, {rep stosw}, {cld}, {jmp report}
OPN "rep stosw ecx=0", FL_ALL, NOROW, FIN2, 4, {SETUP 0, 30, 0}, {mov eax, 0xbeef}, {rep stosw}, {jmp report}

; --------------------------------------------------------------- lods
OPN "lodsb", FL_ALL, NOROW, FIN0, 4, {SETUP 9, 0, 5}, {mov eax, 0x99999999}, {lodsb}, {jmp report_keep}
OPN "lodsw", FL_ALL, NOROW, FIN0, 4, {SETUP 9, 0, 5}, {mov eax, 0x99999999}, {lodsw}, {jmp report_keep}
OPN "lodsd", FL_ALL, NOROW, FIN0, 4, {SETUP 9, 0, 5}, {mov eax, 0x99999999}, {lodsd}, {jmp report_keep}
OPN "lodsw std", FL_ALL, NOROW, FIN0, 4, {SETUP 9, 0, 5}, {mov eax, 0x99999999}, {std}, {lodsw}, {cld}, {jmp report_keep}
OPN "rep lodsb 6", FL_ALL, NOROW, FIN0, 4, {SETUP 9, 0, 6}, {mov eax, 0x99999999}, {rep lodsb}, {jmp report_keep}

; --------------------------------------------------------------- cmps
; dst = copy of src with dst[P] ^= 0x40; ESI = src, EDI = dst
%macro CSETUP 2 ; poke position, ecx
        mov eax, %1
        call copy_poke
        mov esi, src
        mov edi, dst
        mov ecx, %2
%endmacro
OPN "cmpsb equal", FL_ALL, NOROW, FIN0, 4, {CSETUP 9999, 8}, {cmpsb}, {jmp report}
OPN "cmpsb differ", FL_ALL, NOROW, FIN0, 4, {CSETUP 0, 8}, {cmpsb}, {jmp report}
OPN "cmpsd differ", FL_ALL, NOROW, FIN0, 4, {CSETUP 3, 8}, {cmpsd}, {jmp report}
OPN "cmpsw differ std", FL_ALL, NOROW, FIN0, 4, {CSETUP 11, 8}, {add esi, 10}, {add edi, 10}, {std}, {cmpsw}, {cld}, {jmp report}
OPN "repz cmpsb mismatch@20", FL_ALL, NOROW, FIN0, 4, {CSETUP 20, 100}, {repz cmpsb}, {jmp report}
OPN "repz cmpsb all equal", FL_ALL, NOROW, FIN0, 4, {CSETUP 9999, 100}, {repz cmpsb}, {jmp report}
OPN "repz cmpsd mismatch@41", FL_ALL, NOROW, FIN0, 4, {CSETUP 41, 100}, {repz cmpsd}, {jmp report}
OPN "repz cmpsw mismatch@0", FL_ALL, NOROW, FIN0, 4, {CSETUP 0, 100}, {repz cmpsw}, {jmp report}
OPN "repz cmpsb ecx=0", FL_ALL, NOROW, FIN2, 4, {CSETUP 0, 0}, {repz cmpsb}, {jmp report}
OPN "repnz cmpsb find equal", FL_ALL, NOROW, FIN0, 4, {CSETUP 9999, 50}, {add edi, 1}, {mov byte [dst+7], 0x34}, {mov byte [src+6], 0x34}, {repnz cmpsb}, {jmp report}
OPN "repz cmpsd std mismatch", FL_ALL, NOROW, FIN0, 4, {CSETUP 13, 100}, {add esi, 60}, {add edi, 60}, {std}, {repz cmpsd}, {cld}, {jmp report}

; --------------------------------------------------------------- scas
; dst = copy of src; AL/AX/EAX = search value
OPN "scasb equal", FL_ALL, NOROW, FIN0, 4, {CSETUP 9999, 8}, {mov eax, 0x12345603}, {scasb}, {jmp report_keep}
OPN "scasb below", FL_ALL, NOROW, FIN0, 4, {CSETUP 9999, 8}, {mov eax, 0x12345601}, {scasb}, {jmp report_keep}
OPN "scasd", FL_ALL, NOROW, FIN0, 4, {CSETUP 9999, 8}, {mov eax, 0x80000000}, {scasd}, {jmp report_keep}
OPN "repnz scasb found", FL_ALL, NOROW, FIN0, 4, {CSETUP 9999, 200}, {mov eax, 3 + 7 * 30}, {repnz scasb}, {jmp report_keep}
OPN "repnz scasb not found", FL_ALL, NOROW, FIN0, 4, {CSETUP 9999, 30}, {mov eax, 0x100}, {repnz scasb}, {jmp report_keep}
OPN "repz scasd skip equal", FL_ALL, NOROW, FIN0, 4, {CSETUP 9999, 20}, {mov eax, 0x5a5a5a5a}, {mov dword [dst], eax}, {mov dword [dst+4], eax}, {mov dword [dst+8], eax}, {repz scasd}, {jmp report_keep}
OPN "repnz scasw std", FL_ALL, NOROW, FIN0, 4, {CSETUP 9999, 100}, {add edi, 98}, {mov eax, 0x968f}, {std}, {repnz scasw}, {cld}, {jmp report_keep}
OPN "repz scasb ecx=0", FL_ALL, NOROW, FIN2, 4, {CSETUP 9999, 0}, {repz scasb}, {jmp report_keep}

; ------------------------------------------------------- a string copy
OP "strlen/strcpy idiom", 0, NOROW, FIN0, 4
        call reset_str
        mov byte [src+37], 0
        mov edi, src
        mov ecx, -1
        xor eax, eax
        repnz scasb
        not ecx
        dec ecx                 ; ecx = 37
        push ecx
        mov esi, src
        mov edi, dst
        mov eax, ecx
        shr ecx, 2
        rep movsd
        mov ecx, eax
        and ecx, 3
        rep movsb
        call report
        pop ecx
        ret

END_TESTS
