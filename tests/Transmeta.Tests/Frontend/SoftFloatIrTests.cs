using Transmeta.Frontend.Fpu;
using Transmeta.IR;
using Transmeta.Tests.Support;
using Xunit;

namespace Transmeta.Tests.Frontend;

/// <summary>What the inline x87 paths put in the generated code as IR (<see cref="SoftFloatIr"/>):
/// the store conversion computes what the general soft-float (<see cref="SoftFloat"/>,
/// bit-exact with the hardware by the differential tester) computes wherever it does not send
/// the instruction to its helper, and sends it there only in the rare cases it leaves out; the
/// memory operands an arithmetic instruction leaves to its helper are exactly the denormals and
/// signaling NaNs. (The arithmetic and the loads' conversions are
/// <see cref="Backends.BackendExtendedArithmeticTests"/>.)</summary>
public sealed class SoftFloatIrTests
{
    private const uint PE = FpuBits.PE, C1 = FpuBits.C1;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StoresMatchSoftFloat(bool isDouble)
    {
        IeeeFormat f = isDouble ? IeeeFormat.Double : IeeeFormat.Single;
        // The bits; the flags and fail bit packed.
        HelperBody bits = HelperBody.Build((b, a) => SoftFloatIr.ToIeee(b, a[0], b.Unary(Opcode.Trunc, a[1]), f).Bits);
        HelperBody meta = HelperBody.Build((b, a) =>
        {
            SoftFloatIr.Result r = SoftFloatIr.ToIeee(b, a[0], b.Unary(Opcode.Trunc, a[1]), f);
            return b.Or(b.Unary(Opcode.ZextTo64, r.Flags), b.Shl(b.Unary(Opcode.ZextTo64, r.Fail), b.Const(32)));
        });
        var rng = new Random(isDouble ? 5 : 6);
        int bias = isDouble ? 1023 : 127, inline = 0;
        for (int i = 0; i < 200_000; i++)
        {
            // Around the format's whole exponent range and just past it; operands of every class.
            Float80 v = RandomExtended.AnyOperand(rng, new Float80(Float80.IntegerBit, 0x3FFF), 0x3FFF, bias + 3);
            ulong value = bits.Evaluate(v.Sig, v.SignExp, 0, 0), m = meta.Evaluate(v.Sig, v.SignExp, 0, 0);
            if ((m >> 32) != 0) continue;
            inline++;
            uint flags = (uint)m;
            var env = new FpEnv(FpEnv.RoundNearest, 64);
            ulong expected = isDouble ? SoftFloat.ToFloat64(ref env, v) : SoftFloat.ToFloat32(ref env, v);
            if (value != expected || flags != (env.Flags & (PE | C1)) || (env.Flags & ~(PE | C1)) != 0)
                Assert.Fail($"{v}: inline {value:x} flags {flags:x}, soft-float {expected:x} flags {env.Flags:x}");
        }
        Assert.True(inline > 100_000, $"{inline} inline");
    }

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
