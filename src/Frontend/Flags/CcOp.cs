namespace Transmeta.Frontend.Flags;

/// <summary>
/// The kind of the last flag-setting operation, whose operands are kept in CpuState so the
/// arithmetic flags can be computed only when something reads them. Each kind exists for the
/// three operand sizes: <c>Make(kind, size)</c>.
///
/// Operand conventions (all values zero-extended and masked to the operand size):
/// <list type="bullet">
/// <item>Add/Adc/Sub/Sbb: Res = result, Src1 = destination before, Src2 = source, Aux = carry in.</item>
/// <item>Logic: Res = result.</item>
/// <item>Inc/Dec: Res, Src1 = value before, Aux = CF before (INC/DEC leave CF alone).</item>
/// <item>Shl: Src1 = value shifted by count-1 (CF is its top bit). Shr: Src1 = value shifted by
/// count-1 (CF is its bit 0), Src2 = value before (OF is its top bit). Sar: Src1 as Shr.</item>
/// <item>Mul: Src1 = 1 when the high half is significant (CF = OF = Src1).</item>
/// <item>Eflags: Src1 holds the flag bits themselves.</item>
/// </list>
/// </summary>
public enum CcKind
{
    Add, Adc, Sub, Sbb, Logic, Inc, Dec, Shl, Shr, Sar, Mul,
}

public static class CcOp
{
    public const uint Eflags = 0;

    public static uint Make(CcKind kind, int size) => 1 + (uint)kind * 3 + SizeIndex(size);

    public static CcKind KindOf(uint op) => (CcKind)((op - 1) / 3);

    public static int SizeOf(uint op) => ((op - 1) % 3) switch { 0 => 1, 1 => 2, _ => 4 };

    public static uint SizeIndex(int size) => size switch
    {
        1 => 0,
        2 => 1,
        4 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(size)),
    };

    public static uint Mask(int size) => size == 4 ? 0xFFFF_FFFFu : (1u << (size * 8)) - 1;

    public const int Count = 1 + 11 * 3;
}
