using System.Runtime.CompilerServices;

namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The rounding environment of one soft-float operation (from the x87 control word) and the
/// exception flags it raised, accumulated as x87 status-word bits (<see cref="FpuBits"/>), with
/// <see cref="FpuBits.C1"/> meaning "the result was rounded up in magnitude".
/// </summary>
public struct FpEnv
{
    public const int RoundNearest = 0, RoundDown = 1, RoundUp = 2, RoundZero = 3;

    /// <summary>Rounding control: <see cref="RoundNearest"/> .. <see cref="RoundZero"/>.</summary>
    public int Rc;
    /// <summary>Significand bits results of the basic operations are rounded to: 24, 53 or 64.</summary>
    public int Precision;
    /// <summary>Raised exception flags (IE DE ZE OE UE PE SF) and C1 (rounded up).</summary>
    public uint Flags;
    /// <summary>Underflow is unmasked: a tiny result is reported even when exact, and a register
    /// result is delivered with its exponent biased up by 24576 instead of denormalized.</summary>
    public bool UnmaskedUnderflow;
    /// <summary>Overflow is unmasked: a register result is delivered with its exponent biased
    /// down by 24576 instead of becoming infinity or the largest finite number.</summary>
    public bool UnmaskedOverflow;

    public FpEnv(int rc, int precision)
    {
        Rc = rc;
        Precision = precision;
        Flags = 0;
        UnmaskedUnderflow = false;
        UnmaskedOverflow = false;
    }

    /// <summary>The environment a control word selects (precision control 01, reserved, acts
    /// as 64 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FpEnv FromControlWord(uint cw) => new()
    {
        Rc = (int)(cw >> 10) & 3,
        Precision = PrecisionBits(cw),
        UnmaskedUnderflow = (cw & FpuBits.UE) == 0,
        UnmaskedOverflow = (cw & FpuBits.OE) == 0,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PrecisionBits(uint cw) => ((cw >> 8) & 3) switch { 0 => 24, 2 => 53, _ => 64 };

    /// <summary>The same rounding mode at full 64-bit precision (for the operations precision
    /// control does not apply to).</summary>
    public readonly FpEnv Extended() => this with { Precision = 64, Flags = 0 };
}

/// <summary>x87 status and control word bits (Intel SDM Vol. 1 §8.1.3, §8.1.5).</summary>
public static class FpuBits
{
    public const uint IE = 0x0001, DE = 0x0002, ZE = 0x0004, OE = 0x0008, UE = 0x0010, PE = 0x0020;
    public const uint SF = 0x0040, ES = 0x0080;
    public const uint C0 = 0x0100, C1 = 0x0200, C2 = 0x0400, C3 = 0x4000, B = 0x8000;
    public const uint TopMask = 0x3800;
    public const int TopShift = 11;
    /// <summary>The six exception flags (and the matching mask bits of the control word).</summary>
    public const uint Exceptions = 0x3F;
    public const uint ConditionCodes = C0 | C1 | C2 | C3;
    /// <summary>Exceptions detected before the operation (the destination stays unchanged when
    /// they are unmasked): invalid operation, denormal operand, divide by zero.</summary>
    public const uint PreComputation = IE | DE | ZE;
}
