; insn-bcd: daa/das/aaa/aas/aam/aad (aam/aad also with bases other than 10).
; Undefined flags are masked per the SDM: DAA/DAS: OF; AAA/AAS: OF SF ZF
; PF (only AF, CF printed); AAM/AAD: OF AF CF (only SF ZF PF printed).
%include "harness.inc"

FL_DAA equ FL_ALL & ~FL_OF
FL_AAA equ FL_AF | FL_CF
FL_AAM equ FL_SF | FL_ZF | FL_PF

section .text
main:
        call run_optab
        PUTS "done", 10
        xor eax, eax
        ret

section .rodata
FINCA:  dd 4, 0, FL_CF, FL_AF, FL_CF|FL_AF
FINAF:  dd 2, 0, FL_AF

section .text
TABLE TDAA, 1                   ; AL values, garbage in AH and above
        dd 0x12345600
        dd 0x12345609
        dd 0x1234560a
        dd 0x1234560f
        dd 0x12345619
        dd 0x1234561a
        dd 0x12345645
        dd 0x12345680
        dd 0x12345699
        dd 0x1234569a
        dd 0x1234569f
        dd 0x123456a0
        dd 0x123456f9
        dd 0x123456fa
        dd 0x123456ff
        dd 0x12345666
ENDTABLE TDAA
OP1 "daa", FL_DAA, TDAA, FINCA, 1, daa
OP1 "das", FL_DAA, TDAA, FINCA, 1, das

TABLE TAAA, 1                   ; AX values
        dd 0x12340000
        dd 0x12340005
        dd 0x12340009
        dd 0x1234000a
        dd 0x123400f9
        dd 0x123400fa
        dd 0x123400ff
        dd 0x12340106
        dd 0x1234ff0f
        dd 0x123412f5
ENDTABLE TAAA
OP1 "aaa", FL_AAA, TAAA, FINAF, 1, aaa
OP1 "aas", FL_AAA, TAAA, FINAF, 1, aas

TABLE TAAM, 1                   ; AL values (AH is overwritten)
        dd 0x12345600
        dd 0x12345609
        dd 0x1234560a
        dd 0x12345663
        dd 0x123456ff
        dd 0x12345680
ENDTABLE TAAM
OP1 "aam 10", FL_AAM, TAAM, FIN0, 1, aam
OP1 "aam 16", FL_AAM, TAAM, FINA, 1, aam 16
OP1 "aam 7", FL_AAM, TAAM, FIN0, 1, aam 7
OP1 "aam 1", FL_AAM, TAAM, FIN0, 1, aam 1
OP1 "aam 255", FL_AAM, TAAM, FIN0, 1, aam 255

TABLE TAAD, 1                   ; AX values
        dd 0x12340000
        dd 0x12340909
        dd 0x12340102
        dd 0x1234ff01
        dd 0x12340a0f
        dd 0x12341234
ENDTABLE TAAD
OP1 "aad 10", FL_AAM, TAAD, FIN0, 1, aad
OP1 "aad 16", FL_AAM, TAAD, FINA, 1, aad 16
OP1 "aad 3", FL_AAM, TAAD, FIN0, 1, aad 3
OP1 "aad 0", FL_AAM, TAAD, FIN0, 1, aad 0
OP1 "aad 255", FL_AAM, TAAD, FIN0, 1, aad 255

; packed BCD arithmetic on 8-digit numbers, byte by byte with adc/sbb+daa/das
TABLE TPBCD, 2
        dd 0x12345678, 0x87654321
        dd 0x99999999, 0x00000001
        dd 0x00000000, 0x00000000
        dd 0x50505050, 0x49494950
        dd 0x00000001, 0x00000002
ENDTABLE TPBCD
section .bss
ma:     resd 1
mb:     resd 1
mr:     resd 1
section .text
; CF is carried from one byte to the next: LEA and DEC leave CF alone
OP "bcd add 8 digits", FL_CF, TPBCD, FIN0, 1
        mov [ma], eax
        mov [mb], ebx
        xor esi, esi            ; also CF := 0
        mov ecx, 4
.l:     mov al, [ma+esi]
        adc al, [mb+esi]
        daa
        mov [mr+esi], al
        lea esi, [esi+1]
        dec ecx
        jnz .l
        mov eax, [mr]
        ret
OP "bcd sub 8 digits", FL_CF, TPBCD, FIN0, 1
        mov [ma], eax
        mov [mb], ebx
        xor esi, esi
        mov ecx, 4
.l:     mov al, [ma+esi]
        sbb al, [mb+esi]
        das
        mov [mr+esi], al
        lea esi, [esi+1]
        dec ecx
        jnz .l
        mov eax, [mr]
        ret

END_TESTS
