/* nqueens: count N-queens solutions with bitmask backtracking. */
#include "runtime.h"

#ifdef SMALL                /* test-scale build (nqueens-small.elf) */
#define ITERATIONS 2
#define MAXN 11
#else
#define ITERATIONS 16
#define MAXN 12
#endif

static u32 solve(u32 cols, u32 d1, u32 d2, u32 all)
{
    u32 count = 0, avail;
    if (cols == all) return 1;
    avail = all & ~(cols | d1 | d2);
    while (avail) {
        u32 bit = avail & -avail;
        avail ^= bit;
        count += solve(cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1, all);
    }
    return count;
}

int main(void)
{
    static const u32 known[] = { 0, 1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680, 14200, 73712 };
    u32 n, r = 0;
    int it, bad = 0;
    for (it = 0; it < ITERATIONS; it++)
        for (n = 1; n <= MAXN; n++) {
            r = solve(0, 0, 0, (1u << n) - 1);
            if (r != known[n]) bad = 1;
            if (it == 0) {
                rt_puts("nqueens ");
                rt_print_dec(n);
                rt_puts(": ");
                rt_print_dec(r);
                rt_putc('\n');
            }
        }
    if (bad) { rt_puts("nqueens FAIL\n"); return 1; }
    return 0;
}
