/* bytecode: a small stack-machine interpreter (switch dispatch) running a
 * loop-heavy program with a subroutine call. */
#include "runtime.h"

#ifdef SMALL                /* test-scale build (bytecode-small.elf) */
#define ITERATIONS 48
#else
#define ITERATIONS 2400     /* outer loop count of the interpreted program */
#endif
#define INNER 1000

enum { PUSH, LD, ST, ADD, SUB, MUL, XOR, AND, SHL, SHR, LT, JMP, JZ, JNZ,
       DUP, DROP, INC, CALL, RET, HALT };

static u32 code[256];
static int pc;

static void op(u32 o) { code[pc++] = o; }
static void op1(u32 o, u32 a) { code[pc++] = o; code[pc++] = a; }

/* locals: 0 = acc, 1 = i, 2 = j, 3 = ops executed (by the program itself) */
static void assemble(void)
{
    int outer, inner, fix_outer, fix_inner, fix_call, mix;

    pc = 0;
    op1(PUSH, 1); op1(ST, 0);
    op1(PUSH, 0); op1(ST, 1);
    outer = pc;
    op1(LD, 1); op1(PUSH, ITERATIONS); op(LT); op1(JZ, 0); fix_outer = pc - 1;
    op1(PUSH, 0); op1(ST, 2);
    inner = pc;
    op1(LD, 2); op1(PUSH, INNER); op(LT); op1(JZ, 0); fix_inner = pc - 1;
    op1(CALL, 0); fix_call = pc - 1;
    op1(INC, 2); op1(INC, 3);
    op1(JMP, inner);
    code[fix_inner] = pc;
    op1(INC, 1);
    op1(JMP, outer);
    code[fix_outer] = pc;
    op1(LD, 0);
    op(HALT);
    /* mix: acc = acc * 33 ^ (i + j); acc = acc + (acc >> 7) - (j & 3) */
    mix = pc;
    op1(LD, 0); op1(PUSH, 33); op(MUL);
    op1(LD, 1); op1(LD, 2); op(ADD); op(XOR);
    op(DUP); op1(PUSH, 7); op(SHR); op(ADD);
    op1(LD, 2); op1(PUSH, 3); op(AND); op(SUB);
    op1(ST, 0);
    op(RET);
    code[fix_call] = mix;
}

static u32 run(u32 *steps)
{
    u32 stack[64], locals[16] = { 0 }, rstack[16];
    int sp = 0, rsp = 0;
    u32 ip = 0, a, n = 0;

    for (;;) {
        n++;
        switch (code[ip++]) {
        case PUSH: stack[sp++] = code[ip++]; break;
        case LD: stack[sp++] = locals[code[ip++]]; break;
        case ST: locals[code[ip++]] = stack[--sp]; break;
        case ADD: a = stack[--sp]; stack[sp - 1] += a; break;
        case SUB: a = stack[--sp]; stack[sp - 1] -= a; break;
        case MUL: a = stack[--sp]; stack[sp - 1] *= a; break;
        case XOR: a = stack[--sp]; stack[sp - 1] ^= a; break;
        case AND: a = stack[--sp]; stack[sp - 1] &= a; break;
        case SHL: a = stack[--sp]; stack[sp - 1] <<= (a & 31); break;
        case SHR: a = stack[--sp]; stack[sp - 1] >>= (a & 31); break;
        case LT: a = stack[--sp]; stack[sp - 1] = stack[sp - 1] < a; break;
        case JMP: ip = code[ip]; break;
        case JZ: a = code[ip++]; if (stack[--sp] == 0) ip = a; break;
        case JNZ: a = code[ip++]; if (stack[--sp] != 0) ip = a; break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case DROP: sp--; break;
        case INC: locals[code[ip++]]++; break;
        case CALL: rstack[rsp++] = ip + 1; ip = code[ip]; break;
        case RET: ip = rstack[--rsp]; break;
        case HALT: *steps = n; return stack[sp - 1];
        default: *steps = n; return 0xdeadbeef;
        }
    }
}

int main(void)
{
    u32 steps, r;

    assemble();
    r = run(&steps);
    rt_puts("bytecode result ");
    rt_print_hex(r, 8);
    rt_puts(" steps ");
    rt_print_dec(steps);
    rt_putc('\n');
    return r == 0xdeadbeef;
}
