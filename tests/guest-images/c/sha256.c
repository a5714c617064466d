/* sha256: SHA-256 over a 64 KiB pseudo-random buffer, repeated; the buffer
 * is perturbed by each digest. Self-test against the FIPS 180-2 vectors. */
#include "runtime.h"

#ifdef SMALL                /* test-scale build (sha256-small.elf) */
#define ITERATIONS 7
#else
#define ITERATIONS 400
#endif
#define BUF_SIZE (64 * 1024)

typedef struct { u32 h[8]; u8 block[64]; u32 used; u32 total; } sha256_ctx;

static const u32 K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(u32 *h, const u8 *p)
{
    u32 w[64], a, b, c, d, e, f, g, k, t1, t2;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (i = 16; i < 64; i++) {
        u32 s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        u32 s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; k = h[7];
    for (i = 0; i < 64; i++) {
        t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

static void sha256_init(sha256_ctx *c)
{
    static const u32 iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    int i;
    for (i = 0; i < 8; i++) c->h[i] = iv[i];
    c->used = 0;
    c->total = 0;
}

static void sha256_update(sha256_ctx *c, const u8 *p, u32 n)
{
    c->total += n;
    while (n > 0) {
        u32 take = 64 - c->used;
        if (take > n) take = n;
        memcpy(c->block + c->used, p, take);
        c->used += take; p += take; n -= take;
        if (c->used == 64) { compress(c->h, c->block); c->used = 0; }
    }
}

static void sha256_final(sha256_ctx *c, u32 out[8])
{
    u32 bits = c->total * 8, hi = c->total >> 29;
    u8 pad = 0x80, zero = 0, len[8];
    int i;
    sha256_update(c, &pad, 1);
    while (c->used != 56) sha256_update(c, &zero, 1);
    len[0] = hi >> 24; len[1] = hi >> 16; len[2] = hi >> 8; len[3] = hi;
    len[4] = bits >> 24; len[5] = bits >> 16; len[6] = bits >> 8; len[7] = bits;
    sha256_update(c, len, 8);
    for (i = 0; i < 8; i++) out[i] = c->h[i];
}

static void hash(const u8 *p, u32 n, u32 out[8])
{
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, p, n);
    sha256_final(&c, out);
}

static void print_digest(const char *label, const u32 *d)
{
    int i;
    rt_puts(label);
    for (i = 0; i < 8; i++) rt_print_hex(d[i], 8);
    rt_putc('\n');
}

static int check(const char *msg, const u32 *want)
{
    u32 d[8];
    u32 n = 0;
    int i;
    while (msg[n]) n++;
    hash((const u8 *)msg, n, d);
    for (i = 0; i < 8; i++)
        if (d[i] != want[i]) { print_digest("selftest FAIL ", d); return 1; }
    return 0;
}

static u8 buf[BUF_SIZE];

int main(void)
{
    static const u32 abc[8] = { 0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                                0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad };
    static const u32 two[8] = { 0x248d6a61, 0xd20638b8, 0xe5c02693, 0x0c3e6039,
                                0xa33ce459, 0x64ff2167, 0xf6ecedd4, 0x19db06c1 };
    u32 d[8], acc[8] = { 0 }, x = 12345;
    int i, it;

    if (check("abc", abc) ||
        check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", two))
        return 1;
    rt_puts("sha256 selftest ok\n");

    for (i = 0; i < BUF_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (u8)(x >> 16);
    }
    for (it = 0; it < ITERATIONS; it++) {
        hash(buf, BUF_SIZE, d);
        for (i = 0; i < 8; i++) {
            acc[i] ^= d[i];
            buf[(d[i] ^ it) % BUF_SIZE] ^= (u8)d[i];
        }
    }
    print_digest("sha256 last ", d);
    print_digest("sha256 xor  ", acc);
    return 0;
}
