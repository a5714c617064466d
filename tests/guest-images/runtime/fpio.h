/* x87 guest helpers (header-only): FPU initialization and printing doubles
 * without a C library. Used by the floating-point images (nbody, mandelbrot,
 * dmatmul), which are compiled for the x87 FPU (see build.sh FP_C_IMAGES). */
#ifndef TRANSMETA_GUEST_FPIO_H
#define TRANSMETA_GUEST_FPIO_H
#include "runtime.h"

/* The loader leaves the FPU in an unknown state: FNINIT (control word 037F:
 * every exception masked, 64-bit precision, round to nearest). */
static inline void fp_init(void) { __asm__ volatile("fninit"); }

/* Prints v with `decimals` digits after the point (truncated, |v| < 2^31). */
__attribute__((unused)) static void fp_print(double v, int decimals)
{
    if (v < 0) {
        rt_putc('-');
        v = -v;
    }
    u32 ip = (u32)v;
    rt_print_dec(ip);
    rt_putc('.');
    double frac = v - (double)ip;
    for (int i = 0; i < decimals; i++) {
        frac *= 10;
        int d = (int)frac;
        rt_putc('0' + d);
        frac -= d;
    }
}

/* Mixes the exact bits of a double into a 32-bit checksum. */
__attribute__((unused)) static u32 fp_mix(u32 h, double v)
{
    union { double d; u32 w[2]; } u = { v };
    h = (h ^ u.w[0]) * 0x01000193u;
    h = (h ^ u.w[1]) * 0x01000193u;
    return h;
}

#endif
