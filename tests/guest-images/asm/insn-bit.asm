; insn-bit: bt/bts/btr/btc with register and immediate bit offsets on
; register and memory operands (memory + register offset reaches other
; dwords, including negative offsets), and bsf/bsr.
; BT*: only CF is defined (ZF unchanged, OF/SF/AF/PF undefined) -> mask CF|ZF.
; BSF/BSR: only ZF is defined; a zero source leaves the destination
; undefined, so those cases print only ZF (the stub overwrites EAX).
%include "harness.inc"

FL_BT equ FL_CF | FL_ZF

section .text
main:
        call run_optab
        PUTS "done", 10
        xor eax, eax
        ret

section .data
align 4
; 32-dword area; bitbuf (the memory operand base) is its dword 16, so
; negative bit offsets reach the dwords below it.
area_init:
%assign i 0
%rep 32
        dd (0x9e3779b9 * (i + 1)) & 0xffffffff
%assign i i+1
%endrep
section .bss
area:   resd 16
bitbuf: resd 16

section .text
reset_buf:                      ; area := area_init (keeps all registers)
        pushad
        mov esi, area_init
        mov edi, area
        mov ecx, 32
        rep movsd
        popad
        ret
; report (keeps EFLAGS): EAX = new value of the changed dword (0 if none),
; EDX = its index in area (-1 = none), EBX = rolling checksum of area
report_buf:
        pushfd
        xor eax, eax
        mov edx, -1
        xor ebx, ebx
        xor ecx, ecx
.l:     mov esi, [area+ecx*4]
        add ebx, esi
        rol ebx, 3
        cmp esi, [area_init+ecx*4]
        je .n
        mov eax, esi
        mov edx, ecx
.n:     inc ecx
        cmp ecx, 32
        jb .l
        popfd
        ret

; ------------------------------------------------------ register operand
TABLE TR32, 2                   ; eax = value, ebx = bit offset
        dd 0x80000001, 0
        dd 0x80000001, 31
        dd 0x80000001, 1
        dd 0x12345678, 3
        dd 0x12345678, 4
        dd 0x12345678, 36       ; offset mod 32 = 4
        dd 0xffffffff, 0xffffffff ; offset mod 32 = 31
        dd 0x00000000, 0x80000010 ; offset mod 32 = 16
ENDTABLE TR32
TABLE TR16, 2                   ; 16-bit: offset mod 16
        dd 0xabcd8001, 0x00000000
        dd 0xabcd8001, 0x0000000f
        dd 0xabcd1234, 0x00000012 ; 18 mod 16 = 2
        dd 0xabcd1234, 0x0000fff4 ; mod 16 = 4
ENDTABLE TR16
%macro BTREG 1
%defstr _MN %1
%strcat _N _MN, "32 r,r"
OP1 _N, FL_BT, TR32, FIN2, 1, %1 eax, ebx
%strcat _N _MN, "16 r,r"
OP1 _N, FL_BT, TR16, FIN0, 1, %1 ax, bx
%strcat _N _MN, "32 r,imm 5"
OP1 _N, FL_BT, TR32, FIN0, 1, %1 eax, 5
%strcat _N _MN, "32 r,imm 63"
OP1 _N, FL_BT, TR32, FINA, 1, %1 eax, 63
%strcat _N _MN, "16 r,imm 17"
OP1 _N, FL_BT, TR16, FIN0, 1, %1 ax, 17
%endmacro
BTREG bt
BTREG bts
BTREG btr
BTREG btc

; ------------------------------------------------------- memory operand
; eax = bit offset relative to bitbuf (may be negative: bitbuf is dword 16
; of a 32-dword area). Output: CF, EAX = new value of the changed dword,
; EDX = its index in the area (-1 = none), EBX = checksum of the area.
TABLE TM, 1
        dd 0
        dd 7
        dd 31
        dd 32
        dd 100
        dd 255
        dd -1
        dd -32
        dd -200
ENDTABLE TM
%macro BTMEM 1
%defstr _MN %1
%strcat _N _MN, "32 [m],r"
OP _N, FL_BT, TM, FIN0, 3
        call reset_buf
        %1 dword [bitbuf], eax
        jmp report_buf
%strcat _N _MN, "16 [m],r"
OP _N, FL_BT, TM, FIN0, 3
        call reset_buf
        %1 word [bitbuf+16], ax
        jmp report_buf
%strcat _N _MN, "32 [m],imm 45"
OP _N, FL_BT, NOROW, FIN0, 3
        call reset_buf
        %1 dword [bitbuf+4], 45
        jmp report_buf
%strcat _N _MN, "32 [m+1],imm 3"
OP _N, FL_BT, NOROW, FINA, 3
        call reset_buf
        %1 dword [bitbuf+1], 3
        jmp report_buf
%strcat _N _MN, "16 [m-2],imm 20"
OP _N, FL_BT, NOROW, FIN0, 3
        call reset_buf
        %1 word [bitbuf-2], 20
        jmp report_buf
%endmacro

BTMEM bt
BTMEM bts
BTMEM btr
BTMEM btc

; the memory forms with the offset in a register that also addresses:
OP "bts32 [esi],eax", FL_BT, TM, FIN0, 1
        call reset_buf
        lea esi, [bitbuf+8]
        bts [esi], eax
        jmp report_buf

; ---------------------------------------------------------------- bsf/bsr
TABLE TB, 1
        dd 0x00000001
        dd 0x80000000
        dd 0x00010100
        dd 0xffffffff
        dd 0x00000600
        dd 0x7ffe0000
ENDTABLE TB
TABLE TB16, 1
        dd 0xffff0001
        dd 0x12348000
        dd 0x00000ff0
        dd 0xabcd0100
ENDTABLE TB16
TABLE TB0, 1
        dd 0
        dd 0xffff0000           ; 16-bit source is zero
ENDTABLE TB0
OPN "bsf32", FL_ZF, TB, FIN2, 1, {mov ecx, eax}, {mov eax, 0x5a5a5a5a}, {bsf eax, ecx}
OPN "bsr32", FL_ZF, TB, FIN2, 1, {mov ecx, eax}, {mov eax, 0x5a5a5a5a}, {bsr eax, ecx}
OPN "bsf16", FL_ZF, TB16, FIN0, 1, {mov ecx, eax}, {mov eax, 0x5a5a5a5a}, {bsf ax, cx}
OPN "bsr16", FL_ZF, TB16, FIN0, 1, {mov ecx, eax}, {mov eax, 0x5a5a5a5a}, {bsr ax, cx}
OPN "bsf32 [m]", FL_ZF, TB, FIN0, 1, {mov [mtmp], eax}, {bsf eax, [mtmp]}
OPN "bsr32 [m]", FL_ZF, TB, FIN0, 1, {mov [mtmp], eax}, {bsr ecx, [mtmp]}, {mov eax, ecx}
OPN "bsf32 zero (ZF only)", FL_ZF, TB0, FIN0, 1, {bsf edx, eax}, {mov eax, 0}
OPN "bsr16 zero (ZF only)", FL_ZF, TB0, FINA, 1, {bsr dx, ax}, {mov eax, 0}

section .bss
mtmp:   resd 1

END_TESTS
