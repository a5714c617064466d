/* dmatmul: double-precision matrix multiply, repeated (the product, scaled,
 * feeds the next round), compiled for the x87 FPU (-mfpmath=387, no SSE).
 * Prints the trace and a checksum of the exact bits of the result; exits 1
 * if the product of a matrix and the identity is not the matrix itself. */
#include "runtime.h"
#include "fpio.h"

#ifdef SMALL                /* test-scale build (dmatmul-small.elf) */
#define ITERATIONS 1
#else
#define ITERATIONS 192
#endif
#define N 64

static double A[N][N], B[N][N], C[N][N];

static void multiply(double (*x)[N], double (*y)[N], double (*z)[N])
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++)
                s += x[i][k] * y[k][j];
            z[i][j] = s;
        }
}

int main(void)
{
    fp_init();
    u32 seed = 12345;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            seed = seed * 69069u + 1;
            A[i][j] = (double)(int)(seed >> 8) / 16777216.0 - 0.5;
            seed = seed * 69069u + 1;
            B[i][j] = (double)(int)(seed >> 8) / 16777216.0 - 0.5 + (i == j ? 1.0 : 0.0);
        }
    /* self-check: A × I = A exactly */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            C[i][j] = i == j;
    int bad = 0;
    static double T[N][N];
    multiply(A, C, T);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            bad += T[i][j] != A[i][j];
    for (int it = 0; it < ITERATIONS; it++) {
        multiply(A, B, C);
        double norm = 0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                norm += C[i][j] < 0 ? -C[i][j] : C[i][j];
        double k = N * N / norm;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                A[i][j] = C[i][j] * k;
    }
    double trace = 0;
    u32 sum = 0;
    for (int i = 0; i < N; i++) {
        trace += C[i][i];
        for (int j = 0; j < N; j++)
            sum = fp_mix(sum, C[i][j]);
    }
    rt_puts("dmatmul ");
    rt_print_dec(N);
    rt_puts(" rounds ");
    rt_print_dec(ITERATIONS);
    rt_puts(" trace ");
    fp_print(trace, 6);
    rt_puts(" checksum ");
    rt_print_hex(sum, 8);
    rt_putc('\n');
    return bad ? 1 : 0;
}
