using Transmeta.Frontend.Fpu;
using Transmeta.IR;
using Xunit;

namespace Transmeta.Tests.Frontend;

/// <summary>The operand classification the inline x87 paths put in the generated code
/// (<see cref="SoftFloatIr"/>): the memory operands an arithmetic instruction leaves to its
/// helper are exactly the denormals and signaling NaNs, the classes the soft-float's own
/// conversion raises DE or IE for. (The arithmetic and conversions are
/// <see cref="Backends.BackendExtendedArithmeticTests"/>.)</summary>
public sealed class SoftFloatIrTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DenormalOrSignalingIsWhatTheConversionFlags(bool isDouble)
    {
        IeeeFormat f = isDouble ? IeeeFormat.Double : IeeeFormat.Single;
        HelperBody body = HelperBody.Build((b, a) => b.Unary(Opcode.ZextTo64, SoftFloatIr.DenormalOrSignaling(b, a[0], f)));
        var rng = new Random(isDouble ? 7 : 8);
        int special = 0;
        for (int i = 0; i < 50_000; i++)
        {
            ulong bits = isDouble ? (ulong)rng.NextInt64() ^ (ulong)rng.Next(2) << 63 : (uint)rng.NextInt64();
            ulong expMask = isDouble ? 0x7FF0_0000_0000_0000UL : 0x7F80_0000;
            if (i % 4 == 0) bits &= ~expMask;            // zeros and denormals
            if (i % 4 == 1) bits |= expMask;             // infinities and NaNs
            ulong fraction = isDouble ? (1UL << 52) - 1 : (1UL << 23) - 1;
            if (i % 64 == 2) bits = (bits & ~fraction) | expMask; // infinities
            var env = new FpEnv(FpEnv.RoundNearest, 64);
            _ = isDouble ? SoftFloat.FromFloat64(ref env, bits) : SoftFloat.FromFloat32(ref env, (uint)bits);
            bool expected = (env.Flags & (FpuBits.DE | FpuBits.IE)) != 0;
            Assert.True(expected == (body.Evaluate(bits, 0, 0, 0) != 0), $"{bits:x16}");
            if (expected) special++;
        }
        Assert.InRange(special, 10_000, 30_000);
    }
}
