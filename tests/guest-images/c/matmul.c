/* matmul: integer (mod 2^32) matrix multiply, repeated; the product feeds
 * the next round. */
#include "runtime.h"

#ifdef SMALL                /* test-scale build (matmul-small.elf) */
#define ITERATIONS 5
#else
#define ITERATIONS 300
#endif
#define N 96

static u32 A[N][N], B[N][N], C[N][N];

int main(void)
{
    u32 x = 99, sum = 0;
    int i, j, k, it;

    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++) {
            x = x * 69069u + 1;
            A[i][j] = x >> 20;
            x = x * 69069u + 1;
            B[i][j] = x >> 20;
        }
    for (it = 0; it < ITERATIONS; it++) {
        for (i = 0; i < N; i++)
            for (j = 0; j < N; j++) {
                u32 s = 0;
                for (k = 0; k < N; k++)
                    s += A[i][k] * B[k][j];
                C[i][j] = s;
            }
        for (i = 0; i < N; i++)
            for (j = 0; j < N; j++)
                A[i][j] = (C[i][j] >> 7) ^ (u32)(i + j + it);
    }
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++)
            sum = sum * 31 + C[i][j];
    rt_puts("matmul C[0][0] ");
    rt_print_hex(C[0][0], 8);
    rt_puts(" C[N-1][N-1] ");
    rt_print_hex(C[N - 1][N - 1], 8);
    rt_puts(" checksum ");
    rt_print_hex(sum, 8);
    rt_putc('\n');
    return 0;
}
