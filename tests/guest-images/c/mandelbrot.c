/* mandelbrot: escape-time iteration counts over a grid of the Mandelbrot set
 * in double precision, compiled for the x87 FPU (-mfpmath=387, no SSE).
 * Prints a small ASCII picture, the total of the iteration counts and the
 * number of points inside; exits 1 if the picture is implausible. */
#include "runtime.h"
#include "fpio.h"

#ifdef SMALL                /* test-scale build (mandelbrot-small.elf) */
#define W 48
#define H 16
#define ROUNDS 1
#else
#define W 512
#define H 200
#define ROUNDS 2
#endif
#define MAXIT 200

static int iterations(double cr, double ci)
{
    double zr = 0, zi = 0, zr2 = 0, zi2 = 0;
    int n = 0;
    while (n < MAXIT && zr2 + zi2 <= 4.0) {
        zi = 2 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        zr2 = zr * zr;
        zi2 = zi * zi;
        n++;
    }
    return n;
}

int main(void)
{
    fp_init();
    u32 total = 0, inside = 0, hash = 0;
    for (int round = 0; round < ROUNDS; round++) {
        /* each round zooms in a little towards the seahorse valley */
        double scale = 1.0 / (1 << round);
        double x0 = -2.2 * scale - 0.75 * (1 - scale), y0 = -1.2 * scale + 0.1 * (1 - scale);
        double dx = 3.2 * scale / W, dy = 2.4 * scale / H;
        for (int y = 0; y < H; y++) {
            double ci = y0 + y * dy;
            for (int x = 0; x < W; x++) {
                int n = iterations(x0 + x * dx, ci);
                total += n;
                inside += n == MAXIT;
                hash = (hash ^ n) * 0x01000193u;
            }
        }
    }
    /* a 40x12 picture of the whole set */
    for (int y = 0; y < 12; y++) {
        for (int x = 0; x < 40; x++) {
            int n = iterations(-2.2 + x * 0.08, -1.2 + y * 0.2 + 0.1);
            rt_putc(n == MAXIT ? '#' : n > 8 ? '+' : n > 3 ? '.' : ' ');
        }
        rt_putc('\n');
    }
    rt_puts("mandelbrot ");
    rt_print_dec(W);
    rt_putc('x');
    rt_print_dec(H);
    rt_puts(" rounds ");
    rt_print_dec(ROUNDS);
    rt_puts(" iterations ");
    rt_print_dec(total);
    rt_puts(" inside ");
    rt_print_dec(inside);
    rt_puts(" hash ");
    rt_print_hex(hash, 8);
    rt_putc('\n');
    return inside > 0 && inside < (u32)W * H * ROUNDS ? 0 : 1;
}
