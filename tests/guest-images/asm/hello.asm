; hello: the smallest image -- prints one line and exits 0.
%include "runtime.inc"
section .text
main:
        PUTS "Hello from Transmeta guest", 10
        xor eax, eax
        ret
