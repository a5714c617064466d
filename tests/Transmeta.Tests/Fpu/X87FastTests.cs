using System.Runtime.InteropServices;
using Transmeta.Frontend.Fpu;
using Transmeta.Frontend.State;
using Xunit;
using static Transmeta.Frontend.Fpu.X87Desc;

namespace Transmeta.Tests.Fpu;

/// <summary>The fast paths (<see cref="X87Fast"/>) against the general code (<see cref="X87"/>)
/// on random operands: the same registers, status word, tags and pointers afterwards. The
/// general code is checked against hardware by <see cref="X87HardwareTests"/>; this covers the
/// far more numerous operand patterns of the fast paths' branch-free arithmetic (operand order,
/// alignment shifts of 0..70, carries, cancellations, rounding ties).</summary>
public unsafe class X87FastTests
{
    private static readonly int[] Ops = [ArithOp.Add, ArithOp.Mul, ArithOp.Sub, ArithOp.SubR, ArithOp.Div, ArithOp.DivR];

    private static Float80 RandomNormal(Random rng, int baseExp)
    {
        ulong sig = (ulong)rng.NextInt64() | 1UL << 63;
        switch (rng.Next(6))
        {
            case 0: sig &= ~((1UL << rng.Next(64)) - 1) | 1UL << 63; break; // trailing zeros (exact results, ties)
            case 1: sig |= (1UL << rng.Next(64)) - 1; break; // trailing ones (carries)
        }
        int exp = baseExp + rng.Next(-70, 71);
        if (rng.Next(4) == 0) exp = baseExp;
        return new Float80(sig, (ushort)((rng.Next(2) << 15) | Math.Clamp(exp, 1, 0x7FFE)));
    }

    [Fact]
    public void ArithmeticMatchesTheGeneralPath()
    {
        byte* fast = (byte*)NativeMemory.AllocZeroed(CpuState.Size);
        byte* slow = (byte*)NativeMemory.AllocZeroed(CpuState.Size);
        try
        {
            var rng = new Random(87);
            for (int i = 0; i < 300_000; i++)
            {
                int op = Ops[rng.Next(Ops.Length)];
                int baseExp = rng.Next(8) == 0 ? rng.Next(1, 0x7FFF) : 0x3FFF + rng.Next(-200, 200);
                Float80 a = RandomNormal(rng, baseExp);
                Float80 b = rng.Next(8) == 0 ? new Float80(a.Sig ^ (1UL << rng.Next(8)), (ushort)(a.SignExp ^ 0x8000)) : RandomNormal(rng, baseExp);
                int form = rng.Next(2) == 0 ? Form.St0StI : Form.StISt0;
                int pops = form == Form.StISt0 ? rng.Next(2) : 0;
                ulong desc = Make(op, st: 1, form: form, pops: pops, fop: 0x4C1);
                foreach (byte* s in new[] { fast, slow })
                {
                    new Span<byte>(s, CpuState.Size).Clear();
                    FpuState.Fsw(s) = 6u << 11; // TOP = 6: ST(0) = R6, ST(1) = R7
                    *(int*)(s + FpuState.OffTopHint) = 6;
                    FpuState.Tags(s) = 0xC0;
                    FpuState.Reg(s, 6) = a;
                    FpuState.Reg(s, 7) = b;
                }
                X87Fast.Arith(fast, desc, 0, 0x1234, 0);
                X87.Arith(slow, desc, 0, 0x1234, 0);
                X87Fast.SyncTop(slow);
                var f = new ReadOnlySpan<byte>(fast + FpuState.Base, FpuState.OffStoreHigh - FpuState.Base);
                var g = new ReadOnlySpan<byte>(slow + FpuState.Base, FpuState.OffStoreHigh - FpuState.Base);
                if (!f.SequenceEqual(g))
                    Assert.Fail($"op {op} form {form} pops {pops}: {a.Sig:x16}/{a.SignExp:x4} {b.Sig:x16}/{b.SignExp:x4}: "
                        + $"fast {FpuState.Reg(fast, 6).Sig:x16}/{FpuState.Reg(fast, 6).SignExp:x4} {FpuState.Reg(fast, 7).Sig:x16}/{FpuState.Reg(fast, 7).SignExp:x4} fsw {FpuState.Fsw(fast):x4}, "
                        + $"general {FpuState.Reg(slow, 6).Sig:x16}/{FpuState.Reg(slow, 6).SignExp:x4} {FpuState.Reg(slow, 7).Sig:x16}/{FpuState.Reg(slow, 7).SignExp:x4} fsw {FpuState.Fsw(slow):x4}");
                Assert.Equal(*(int*)(slow + FpuState.OffTopHint), *(int*)(fast + FpuState.OffTopHint));
            }
        }
        finally
        {
            NativeMemory.Free(fast);
            NativeMemory.Free(slow);
        }
    }
}
