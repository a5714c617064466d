/* lz: LZ77-style compression (4 KiB window, hash chains) of generated
 * text, decompression, and verification; repeated. */
#include "runtime.h"

#ifdef SMALL                /* test-scale build (lz-small.elf) */
#define ITERATIONS 2
#define N (64 * 1024)
#else
#define ITERATIONS 60
#define N (128 * 1024)
#endif
#define WIN 4096
#define MINM 3
#define MAXM 18
#define HBITS 12
#define DEPTH 32

static u8 in[N], out[N + N / 8 + 16], back[N];
static int head[1 << HBITS], prev[N];

static const char *words[] = {
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and",
    "translation", "binary", "dynamic", "guest", "host", "block", "cache",
    "of", "a", "to", "in", "register", "flags", "memory", "page", "code",
    "trace", "emulator", "x86", "instruction", "branch", "return", "loop",
};

static u32 gen(u32 seed)
{
    u32 x = seed, n = 0;
    while (n < N) {
        const char *w;
        x = x * 1103515245u + 12345u;
        w = words[(x >> 16) % 32];
        while (*w && n < N) in[n++] = (u8)*w++;
        if (n < N) in[n++] = ((x >> 8) & 15) == 0 ? '\n' : ((x >> 8) & 15) == 1 ? ',' : ' ';
    }
    return x;
}

static u32 hash3(const u8 *p) { return ((p[0] << 8) ^ (p[1] << 4) ^ p[2]) & ((1 << HBITS) - 1); }

static u32 compress(void)
{
    u32 i = 0, o = 0, ctrl = 0, bit = 0;
    int k;
    for (k = 0; k < (1 << HBITS); k++) head[k] = -1;
    while (i < N) {
        int best = 0, bestoff = 0, cand, depth = DEPTH;
        if (bit == 0) { ctrl = o++; out[ctrl] = 0; }
        if (i + MINM <= N) {
            u32 h = hash3(in + i);
            for (cand = head[h]; cand >= 0 && (int)i - cand <= WIN && depth--; cand = prev[cand]) {
                int l = 0, max = N - i < MAXM ? (int)(N - i) : MAXM;
                while (l < max && in[cand + l] == in[i + l]) l++;
                if (l > best) { best = l; bestoff = i - cand; if (l == MAXM) break; }
            }
        }
        if (best >= MINM) {
            u32 v = (u32)(bestoff - 1) << 4 | (u32)(best - MINM);
            out[ctrl] |= (u8)(1 << bit);
            out[o++] = (u8)(v >> 8);
            out[o++] = (u8)v;
            while (best--) {
                if (i + MINM <= N) { u32 h = hash3(in + i); prev[i] = head[h]; head[h] = i; }
                i++;
            }
        } else {
            out[o++] = in[i];
            if (i + MINM <= N) { u32 h = hash3(in + i); prev[i] = head[h]; head[h] = i; }
            i++;
        }
        bit = (bit + 1) & 7;
    }
    return o;
}

static u32 decompress(u32 len)
{
    u32 i = 0, o = 0, bit = 0, ctrl = 0;
    while (i < len) {
        if (bit == 0) ctrl = out[i++];
        if (ctrl & (1 << bit)) {
            u32 v = (u32)out[i] << 8 | out[i + 1], off = (v >> 4) + 1, l = (v & 15) + MINM;
            i += 2;
            while (l--) { back[o] = back[o - off]; o++; }
        } else {
            back[o++] = out[i++];
        }
        bit = (bit + 1) & 7;
    }
    return o;
}

int main(void)
{
    u32 seed = 7, total = 0, sum = 0, len = 0, i;
    int it;
    for (it = 0; it < ITERATIONS; it++) {
        seed = gen(seed);
        len = compress();
        if (decompress(len) != N || memcmp(in, back, N) != 0) {
            rt_puts("lz FAIL: round trip mismatch\n");
            return 1;
        }
        total += len;
        for (i = 0; i < len; i++) sum = (sum << 1 | sum >> 31) ^ out[i];
    }
    rt_puts("lz last size ");
    rt_print_dec(len);
    rt_puts(" total ");
    rt_print_dec(total);
    rt_puts(" checksum ");
    rt_print_hex(sum, 8);
    rt_putc('\n');
    return 0;
}
