/* sieve: sieve of Eratosthenes up to 2,000,000, repeated. */
#include "runtime.h"

#ifdef SMALL                /* test-scale build (sieve-small.elf) */
#define ITERATIONS 8
#define LIMIT 200000
#define PRIMES 17984        /* primes <= LIMIT */
#else
#define ITERATIONS 45
#define LIMIT 2000000
#define PRIMES 148933
#endif
#define STR_(x) #x
#define STR(x) STR_(x)

static u8 composite[LIMIT + 1];

int main(void)
{
    u32 count = 0, sum = 0, i, j;
    int it;

    for (it = 0; it < ITERATIONS; it++) {
        memset(composite, 0, sizeof composite);
        count = 0;
        sum = 0;
        for (i = 2; i <= LIMIT; i++) {
            if (composite[i]) continue;
            count++;
            sum += i;
            if (i <= LIMIT / i)
                for (j = i * i; j <= LIMIT; j += i)
                    composite[j] = 1;
        }
    }
    rt_puts("sieve primes<=" STR(LIMIT) ": ");
    rt_print_dec(count);
    rt_puts(" sum mod 2^32: ");
    rt_print_hex(sum, 8);
    rt_putc('\n');
    if (count != PRIMES) {
        rt_puts("sieve FAIL\n");
        return 1;
    }
    return 0;
}
