/* crc32: table-driven CRC-32 (IEEE, reflected) over a 256 KiB buffer,
 * repeated with the buffer perturbed each round. */
#include "runtime.h"

#ifdef SMALL                /* test-scale build (crc32-small.elf) */
#define ITERATIONS 12
#else
#define ITERATIONS 800
#endif
#define BUF_SIZE (256 * 1024)

static u32 table[256];
static u8 buf[BUF_SIZE];

static void make_table(void)
{
    u32 i, j, c;
    for (i = 0; i < 256; i++) {
        c = i;
        for (j = 0; j < 8; j++)
            c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
        table[i] = c;
    }
}

static u32 crc32(u32 crc, const u8 *p, u32 n)
{
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(void)
{
    u32 x = 1, acc = 0, c = 0;
    int i, it;

    make_table();
    c = crc32(0, (const u8 *)"123456789", 9);
    if (c != 0xcbf43926u) {
        rt_puts("crc32 selftest FAIL ");
        rt_print_hex(c, 8);
        rt_putc('\n');
        return 1;
    }
    rt_puts("crc32 selftest ok\n");

    for (i = 0; i < BUF_SIZE; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;   /* xorshift32 */
        buf[i] = (u8)x;
    }
    for (it = 0; it < ITERATIONS; it++) {
        c = crc32(c, buf, BUF_SIZE);
        buf[c % BUF_SIZE] ^= (u8)(c >> 8);
        acc = (acc << 3 | acc >> 29) ^ c;
    }
    rt_puts("crc32 last ");
    rt_print_hex(c, 8);
    rt_puts(" acc ");
    rt_print_hex(acc, 8);
    rt_putc('\n');
    return 0;
}
