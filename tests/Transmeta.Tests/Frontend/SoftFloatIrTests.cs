using Transmeta.Frontend.Fpu;
using Transmeta.IR;
using Transmeta.Tests.Support;
using Xunit;

namespace Transmeta.Tests.Frontend;

/// <summary>The inline x87 conversions (<see cref="SoftFloatIr"/>, IR the lifters put in the
/// generated code) compute what the general soft-float (<see cref="SoftFloat"/>, bit-exact
/// with the hardware by the differential tester) computes, wherever they do not send the
/// instruction to its helper; and they send it there only in the rare cases they leave out.
/// (The arithmetic is <see cref="Backends.BackendExtendedArithmeticTests"/>.)</summary>
public sealed class SoftFloatIrTests
{
    private const uint PE = FpuBits.PE, C1 = FpuBits.C1;

    /// <summary>An operation as two IR bodies (the significand; the sign/exponent, flags and fail
    /// bit packed), evaluated with the interpreter's arithmetic.</summary>
    private sealed class Op(Func<IrBuilder, int, int, int, int, SoftFloatIr.Result> emit)
    {
        private readonly HelperBody _sig = Build(emit, wantSig: true), _meta = Build(emit, wantSig: false);

        private static HelperBody Build(Func<IrBuilder, int, int, int, int, SoftFloatIr.Result> emit, bool wantSig) =>
            HelperBody.Build((b, a) =>
            {
                SoftFloatIr.Result r = emit(b, a[0], b.Unary(Opcode.Trunc, a[1]), a[2], b.Unary(Opcode.Trunc, a[3]));
                if (wantSig) return r.Sig;
                int meta = b.Or(b.Unary(Opcode.ZextTo64, r.SignExp), b.Shl(b.Unary(Opcode.ZextTo64, r.Flags), b.Const(16)));
                return b.Or(meta, b.Shl(b.Unary(Opcode.ZextTo64, r.Fail), b.Const(32)));
            });

        public (Float80 Value, uint Flags, bool Fail) Run(ulong a0, ulong a1, ulong a2 = 0, ulong a3 = 0)
        {
            ulong sig = _sig.Evaluate(a0, a1, a2, a3), meta = _meta.Evaluate(a0, a1, a2, a3);
            return (new Float80(sig, (ushort)meta), (uint)(meta >> 16) & 0xFFFF, (meta >> 32) != 0);
        }
    }

    private static readonly Op FromDoubleOp = new((b, bits, _, _, _) => SoftFloatIr.FromIeee(b, bits, IeeeFormat.Double));
    private static readonly Op FromSingleOp = new((b, bits, _, _, _) => SoftFloatIr.FromIeee(b, bits, IeeeFormat.Single));
    private static readonly Op ToDoubleOp = new((b, sig, se, _, _) => SoftFloatIr.ToIeee(b, sig, se, IeeeFormat.Double));
    private static readonly Op ToSingleOp = new((b, sig, se, _, _) => SoftFloatIr.ToIeee(b, sig, se, IeeeFormat.Single));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadsMatchSoftFloat(bool isDouble)
    {
        var rng = new Random(isDouble ? 3 : 4);
        int inline = 0;
        for (int i = 0; i < 100_000; i++)
        {
            ulong bits = isDouble ? (ulong)rng.NextInt64() ^ (ulong)rng.Next(2) << 63 : (uint)rng.NextInt64();
            if (i % 16 == 0) bits &= isDouble ? 0x800F_FFFF_FFFF_FFFFUL : 0x807F_FFFF; // zeros and denormals
            if (i % 16 == 1) bits |= isDouble ? 0x7FF0_0000_0000_0000UL : 0x7F80_0000; // infinities and NaNs
            var (value, flags, fail) = (isDouble ? FromDoubleOp : FromSingleOp).Run(bits, 0);
            var env = new FpEnv(FpEnv.RoundNearest, 64);
            Float80 expected = isDouble ? SoftFloat.FromFloat64(ref env, bits) : SoftFloat.FromFloat32(ref env, (uint)bits);
            bool exactClass = expected.Sig == 0 && (expected.SignExp & 0x7FFF) == 0 || (uint)((expected.SignExp & 0x7FFF) - 1) < 0x7FFE && (long)expected.Sig < 0;
            bool special = isDouble ? ((bits >> 52) & 0x7FF) is 0 or 0x7FF : ((bits >> 23) & 0xFF) is 0 or 0xFF;
            bool zero = isDouble ? (bits << 1) == 0 : ((uint)bits << 1) == 0;
            Assert.Equal(special && !zero, fail);
            if (fail) continue;
            inline++;
            Assert.True(exactClass);
            Assert.Equal(expected, value);
            Assert.Equal(0u, flags);
            Assert.Equal(0u, env.Flags);
        }
        Assert.True(inline > 80_000);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StoresMatchSoftFloat(bool isDouble)
    {
        var rng = new Random(isDouble ? 5 : 6);
        int bias = isDouble ? 1023 : 127, inline = 0;
        for (int i = 0; i < 200_000; i++)
        {
            // Around the format's whole exponent range and just past it.
            Float80 v = RandomExtended.Operand(rng, new Float80(Float80.IntegerBit, 0x3FFF), 0x3FFF, bias + 3);
            var (value, flags, fail) = (isDouble ? ToDoubleOp : ToSingleOp).Run(v.Sig, v.SignExp);
            if (fail) continue;
            inline++;
            var env = new FpEnv(FpEnv.RoundNearest, 64);
            ulong expected = isDouble ? SoftFloat.ToFloat64(ref env, v) : SoftFloat.ToFloat32(ref env, v);
            if (value.Sig != expected || flags != (env.Flags & (PE | C1)) || (env.Flags & ~(PE | C1)) != 0)
                Assert.Fail($"{v}: inline {value.Sig:x} flags {flags:x}, soft-float {expected:x} flags {env.Flags:x}");
        }
        Assert.True(inline > 150_000, $"{inline} inline");
    }
}
