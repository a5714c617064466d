/*
 * Native i386 executor for the differential tester (tests/Transmeta.DiffTest): runs instruction
 * sequences on the host CPU with the memory layout they have under Transmeta and reports the
 * final state. Built at test time: nasm -f elf32 stub.asm && gcc -m32 -static -O2 harness.c stub.o.
 *
 * Layout (fixed addresses, free in a static non-PIE i386 binary):
 *   code page 0x00400000 (4 KiB, RWX): the sequence, then a jump to h_exit;
 *   data      0x00500000 (8 KiB, RW):  random contents from a seed, the guest stack inside.
 *
 * Protocol (stdin/stdout, little-endian). At start the harness writes a hello:
 *   "TMDH", u32 version, u32 selectors CS DS ES SS FS GS.
 * Then it reads batches: u32 count (0 ends), then count records:
 *   u32 regs[8] (EAX ECX EDX EBX ESP EBP ESI EDI), u32 eflags, u32 flags, u64 memseed,
 *   u32 codelen, u8 fpu[108], u8 code[codelen]
 *   flags bit 0: append the data buffer to the result; bit 1: zero-filled data (else from memseed).
 * and answers each batch with count results (flushed after the batch):
 *   u32 regs[8], u32 eflags, i32 trap (-1: ran to the end; else the CPU's trap number),
 *   u32 eip (end of the code, or the faulting instruction), u32 0, u64 hash of the data buffer,
 *   u8 fpu[108], [u8 data[8192]]
 * fpu is a 32-bit protected-mode FNSAVE image (SDM Vol. 1 Figure 8-10: CW SW TW FIP FCS|FOP<<16
 * FDP FDS, then ST(0)..ST(7), 10 bytes each). The stub loads it with FRSTOR before the sequence
 * and stores the result with FNSAVE (which does not wait: a pending unmasked exception is
 * reported, not raised). After a fault it comes from the signal frame (the kernel's
 * struct _fpstate_32 starts with the same 108 bytes); #MF is trap 16 (SIGFPE).
 * A fault (SIGSEGV/SIGFPE/SIGILL/SIGBUS/SIGTRAP) is caught on an alternate stack; the registers
 * and EFLAGS then come from the signal context and the trap number from REG_TRAPNO.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_BASE 0x00400000u
#define CODE_SIZE 0x1000u
#define DATA_BASE 0x00500000u
#define DATA_SIZE 0x2000u
#define MAX_CODE  (CODE_SIZE - 16)

extern uint32_t h_in[9], h_out[9];
extern uint8_t h_fpu_in[108], h_fpu_out[108];
extern void h_run(void);
extern void h_exit(void);

static sigjmp_buf jump_back;
static volatile int32_t trap_no;
static volatile uint32_t trap_eip;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    h_out[0] = g[REG_EAX]; h_out[1] = g[REG_ECX]; h_out[2] = g[REG_EDX]; h_out[3] = g[REG_EBX];
    h_out[4] = g[REG_ESP]; h_out[5] = g[REG_EBP]; h_out[6] = g[REG_ESI]; h_out[7] = g[REG_EDI];
    h_out[8] = g[REG_EFL];
    if (uc->uc_mcontext.fpregs) memcpy(h_fpu_out, uc->uc_mcontext.fpregs, 108);
    else memset(h_fpu_out, 0xEE, 108);
    trap_no = g[REG_TRAPNO];
    trap_eip = g[REG_EIP];
    siglongjmp(jump_back, 1);
}

/* splitmix64; the C# side (DataFill) computes the same contents. */
static uint64_t next64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const uint32_t special[16] = {
    0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu,
    0xFFFFFFFEu, 0x10000, 0x100, 0x55555555,
};

static void fill(uint32_t *p, uint64_t seed, int zero)
{
    if (zero) { memset(p, 0, DATA_SIZE); return; }
    uint64_t s = seed;
    for (uint32_t i = 0; i < DATA_SIZE / 4; i++) {
        uint64_t z = next64(&s);
        uint32_t lo = (uint32_t)z, v;
        switch ((unsigned)(z >> 61)) {
        case 4: v = lo & 0xF; break;
        case 5: v = special[(z >> 32) & 15]; break;
        case 6: v = lo & 0xFF; break;
        case 7: v = 0u - (lo & 0xF); break;
        default: v = lo; break;
        }
        p[i] = v;
    }
}

static uint64_t hash(const uint64_t *p)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (uint32_t i = 0; i < DATA_SIZE / 8; i++) {
        h = (h ^ p[i]) * 0x100000001B3ull;
        h ^= h >> 29;
    }
    return h;
}

static void read_exact(void *buf, size_t n)
{
    if (n && fread(buf, 1, n, stdin) != n) exit(0);
}

static void write_exact(const void *buf, size_t n)
{
    if (fwrite(buf, 1, n, stdout) != n) exit(1);
}

int main(void)
{
    uint8_t *code = mmap((void *)CODE_BASE, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *data = mmap((void *)DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE,
                         MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code != (void *)CODE_BASE || data != (void *)DATA_BASE) { perror("harness: mmap"); return 2; }

    static uint8_t altstack[1 << 16];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    int sigs[] = { SIGSEGV, SIGFPE, SIGILL, SIGBUS, SIGTRAP };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, 0);

    static char inbuf[1 << 16], outbuf[1 << 16];
    setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

    uint32_t hello[8] = { 0x48444D54u /* "TMDH" */, 2 };
    __asm__ volatile("movl %%cs, %0; movl %%ds, %1; movl %%es, %2" : "=r"(hello[2]), "=r"(hello[3]), "=r"(hello[4]));
    __asm__ volatile("movl %%ss, %0; movl %%fs, %1; movl %%gs, %2" : "=r"(hello[5]), "=r"(hello[6]), "=r"(hello[7]));
    for (int i = 2; i < 8; i++) hello[i] &= 0xFFFF;
    write_exact(hello, sizeof hello);
    fflush(stdout);

    for (;;) {
        uint32_t count;
        read_exact(&count, 4);
        if (count == 0) return 0;
        for (uint32_t n = 0; n < count; n++) {
            uint8_t head[52];
            read_exact(head, sizeof head);
            uint32_t regs[9], flags, len;
            uint64_t seed;
            memcpy(regs, head, 36);
            memcpy(&flags, head + 36, 4);
            memcpy(&seed, head + 40, 8);
            memcpy(&len, head + 48, 4);
            if (len > MAX_CODE) { fprintf(stderr, "harness: code of %u bytes\n", len); return 3; }
            read_exact(h_fpu_in, 108);
            read_exact(code, len);
            uint32_t end = CODE_BASE + len;
            code[len] = 0xE9; /* jmp rel32 h_exit */
            int32_t rel = (int32_t)((uint32_t)(uintptr_t)h_exit - (end + 5));
            memcpy(code + len + 1, &rel, 4);
            fill((uint32_t *)data, seed, (flags & 2) != 0);
            memcpy(h_in, regs, sizeof regs);

            uint32_t result[12];
            if (sigsetjmp(jump_back, 0) == 0) {
                h_run();
                result[9] = (uint32_t)-1;
                result[10] = end;
            } else {
                __asm__ volatile("pushl $0x202; popfl" ::: "cc", "memory");
                result[9] = (uint32_t)trap_no;
                result[10] = trap_eip;
            }
            memcpy(result, h_out, 36);
            result[11] = 0;
            uint64_t h = hash((const uint64_t *)data);
            write_exact(result, sizeof result);
            write_exact(&h, 8);
            write_exact(h_fpu_out, 108);
            if (flags & 1) write_exact(data, DATA_SIZE);
        }
        fflush(stdout);
    }
}
