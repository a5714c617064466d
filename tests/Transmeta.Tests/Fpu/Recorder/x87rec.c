/* x87 recorder: runs x87 snippets natively (i386 Linux process) and prints the resulting FPU
 * state, so the C# tests can compare Transmeta with real hardware. See README in this folder.
 * Input (stdin), one case a line, fields separated by spaces:
 *   name=N code=HEX [cw=HHHH] [sw=HHHH] [st=V,V,...] [mem=HEX] [eax=H ...] [fl=H]
 *   st lists ST0 first; each V is 20 hex digits (sign/exponent then significand), or E (empty),
 *   or E followed by 20 hex digits (empty, with those register contents).
 *   mem is the bytes at 0x20000 (up to 256). The code is placed at 0x1000 and must end in RET.
 * Output: the input line, " => ", then the state after the snippet:
 *   cw sw tw (full tag word) fip fop fdp st (ST0..ST7 as 20 hex digits) eax edx fl mem
 *   and sig=N trap=N eip=H when the snippet faulted (the FPU state is then taken from the signal frame). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <signal.h>
#include <setjmp.h>
#include <ucontext.h>
#include <sys/mman.h>

uint8_t in_image[108], out_image[108];
uint32_t in_regs[8], out_regs[8], in_eflags, out_eflags, saved_esp;
void run_snippet(void);

static sigjmp_buf jb;
static int got_sig, got_trap;
static uint32_t got_eip;
static uint8_t sig_image[108];
static int have_sig_image;

static void handler(int sig, siginfo_t *si, void *uc_)
{
    ucontext_t *uc = uc_;
    got_sig = sig;
    got_trap = uc->uc_mcontext.gregs[REG_TRAPNO];
    got_eip = uc->uc_mcontext.gregs[REG_EIP];
    have_sig_image = 0;
    if (uc->uc_mcontext.fpregs) {
        /* struct _libc_fpstate: cw sw tag ipoff cssel dataoff datasel (7 dwords) then _st[8] (10 bytes each) */
        memcpy(sig_image, uc->uc_mcontext.fpregs, 108);
        have_sig_image = 1;
    }
    siglongjmp(jb, 1);
}

static int hexval(int c) { return c <= '9' ? c - '0' : (c | 32) - 'a' + 10; }
static int parse_hex_bytes(const char *s, uint8_t *out, int max)
{
    int n = 0;
    while (s[0] && s[1] && s[0] != ' ' && n < max) { out[n++] = hexval(s[0]) << 4 | hexval(s[1]); s += 2; }
    return n;
}
static void parse80(const char *s, uint8_t *out10)
{
    /* 20 hex digits: SSSS MMMMMMMMMMMMMMMM (big-endian text) -> little-endian 10 bytes */
    uint8_t be[10];
    for (int i = 0; i < 10; i++) be[i] = hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]);
    for (int i = 0; i < 10; i++) out10[i] = be[9 - i];
}
static void print80(const uint8_t *p)
{
    for (int i = 9; i >= 0; i--) printf("%02x", p[i]);
}
static const char *field(const char *line, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = line; (p = strstr(p, key)); p++)
        if ((p == line || p[-1] == ' ') && p[k] == '=') return p + k + 1;
    return NULL;
}

int main(void)
{
    uint8_t *ram = mmap((void *)0x1000, 0xFF000, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ram != (void *)0x1000) { perror("mmap"); return 1; }
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, 0); sigaction(SIGSEGV, &sa, 0); sigaction(SIGILL, &sa, 0); sigaction(SIGBUS, &sa, 0);

    static char line[65536];
    static const char *regnames[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#') continue;
        memset((void *)0x1000, 0, 0xFF000);
        const char *s = field(line, "code");
        if (!s) { fprintf(stderr, "no code: %s\n", line); return 1; }
        parse_hex_bytes(s, (uint8_t *)0x1000, 4096);
        if ((s = field(line, "mem"))) parse_hex_bytes(s, (uint8_t *)0x20000, 256);

        memset(in_image, 0, sizeof in_image);
        uint32_t cw = 0x037F, sw = 0;
        if ((s = field(line, "cw"))) cw = strtoul(s, 0, 16);
        if ((s = field(line, "sw"))) sw = strtoul(s, 0, 16);
        int depth = 0;
        uint32_t tw = 0xFFFF;
        uint8_t regs[8][10];
        memset(regs, 0, sizeof regs);
        if ((s = field(line, "st"))) {
            int empty[8] = {0};
            while (*s && *s != ' ' && depth < 8) {
                if (*s == 'E') {
                    empty[depth] = 1; s++;
                    if (*s && *s != ',' && *s != ' ') { parse80(s, regs[depth]); s += 20; }
                }
                else { parse80(s, regs[depth]); s += 20; }
                depth++;
                if (*s == ',') s++;
            }
            int top = (8 - depth) & 7;
            sw = (sw & ~0x3800) | top << 11;
            for (int i = 0; i < depth; i++)
                if (!empty[i]) tw &= ~(3u << (2 * ((top + i) & 7)));
        }
        ((uint32_t *)in_image)[0] = cw | 0xFFFF0000;
        ((uint32_t *)in_image)[1] = sw | 0xFFFF0000;
        ((uint32_t *)in_image)[2] = tw | 0xFFFF0000;
        memcpy(in_image + 28, regs, 80);
        for (int i = 0; i < 8; i++) in_regs[i] = (s = field(line, regnames[i])) ? strtoul(s, 0, 16) : 0;
        in_eflags = ((s = field(line, "fl")) ? strtoul(s, 0, 16) : 0x202) | 0x202;

        got_sig = 0;
        if (sigsetjmp(jb, 1) == 0) {
            run_snippet();
        } else {
            /* faulted: restore the stack through the trampoline's tail (nothing else to undo) */
            __asm__ volatile("fninit");
        }
        uint8_t *img = got_sig ? sig_image : out_image;
        if (got_sig && !have_sig_image) memset(sig_image, 0, sizeof sig_image);
        uint32_t *w = (uint32_t *)img;
        printf("%s => cw=%04x sw=%04x tw=%04x fip=%08x fcs=%04x fop=%03x fdp=%08x fds=%04x st=",
               line, w[0] & 0xFFFF, w[1] & 0xFFFF, w[2] & 0xFFFF, w[3], w[4] & 0xFFFF, (w[4] >> 16) & 0x7FF, w[5], w[6] & 0xFFFF);
        for (int i = 0; i < 8; i++) { if (i) putchar(','); print80(img + 28 + 10 * i); }
        if (!got_sig) {
            printf(" eax=%08x ecx=%08x edx=%08x fl=%08x", out_regs[0], out_regs[1], out_regs[2], out_eflags);
        }
        printf(" mem=");
        for (int i = 0; i < 64; i++) printf("%02x", ((uint8_t *)0x20000)[i]);
        if (got_sig) printf(" sig=%d trap=%d eip=%08x", got_sig, got_trap, got_eip);
        printf("\n");
        fflush(stdout);
    }
    return 0;
}
