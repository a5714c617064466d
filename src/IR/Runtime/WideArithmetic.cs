namespace Transmeta.IR;

/// <summary>The 128-bit arithmetic behind IR operations that .NET has no single instruction
/// for, shared by the interpreter and the IL backend so both compute exactly the same thing.</summary>
public static class WideArithmetic
{
    /// <summary><see cref="Opcode.UDivWide"/>: (high:low) / divisor, for high &lt; divisor.
    /// Otherwise (a frontend bug) the result is all ones rather than an exception: generated
    /// code must not throw. UInt128 by a 64-bit divisor costs about one DIV.</summary>
    public static ulong Divide(ulong high, ulong low, ulong divisor) =>
        high < divisor ? (ulong)(new UInt128(high, low) / divisor) : ulong.MaxValue;
}
