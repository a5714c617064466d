/* qsort: quicksort of pseudo-random ints from a fixed-seed LCG, repeated
 * with different seeds; verifies the order and prints a checksum. */
#include "runtime.h"

#ifdef SMALL                /* test-scale build (qsort-small.elf) */
#define ITERATIONS 3
#define N 20000
#else
#define ITERATIONS 35
#define N 100000
#endif

static i32 a[N];

static void insertion(i32 *v, int n)
{
    int i, j;
    for (i = 1; i < n; i++) {
        i32 t = v[i];
        for (j = i; j > 0 && v[j - 1] > t; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
}

static void quicksort(i32 *v, int n)
{
    while (n > 16) {
        i32 p, t;
        int i = 0, j = n - 1, m = n / 2;
        /* median of three */
        if (v[m] < v[0]) { t = v[m]; v[m] = v[0]; v[0] = t; }
        if (v[j] < v[0]) { t = v[j]; v[j] = v[0]; v[0] = t; }
        if (v[j] < v[m]) { t = v[j]; v[j] = v[m]; v[m] = t; }
        p = v[m];
        for (;;) {
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i >= j) break;
            t = v[i]; v[i] = v[j]; v[j] = t;
            i++; j--;
        }
        /* recurse on the smaller half */
        if (j + 1 < n - j - 1) {
            quicksort(v, j + 1);
            v += j + 1; n -= j + 1;
        } else {
            quicksort(v + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion(v, n);
}

int main(void)
{
    u32 seed = 42, sum = 0;
    int it, i;

    for (it = 0; it < ITERATIONS; it++) {
        for (i = 0; i < N; i++) {
            seed = seed * 1664525u + 1013904223u;
            a[i] = (i32)(seed ^ (seed >> 15));
        }
        quicksort(a, N);
        for (i = 1; i < N; i++)
            if (a[i - 1] > a[i]) {
                rt_puts("qsort FAIL: not sorted\n");
                return 1;
            }
        for (i = 0; i < N; i += 7)
            sum = sum * 31 + (u32)a[i];
    }
    rt_puts("qsort min ");
    rt_print_hex((u32)a[0], 8);
    rt_puts(" max ");
    rt_print_hex((u32)a[N - 1], 8);
    rt_puts(" checksum ");
    rt_print_hex(sum, 8);
    rt_putc('\n');
    return 0;
}
