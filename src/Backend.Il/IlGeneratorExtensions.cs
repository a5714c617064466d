using System.Reflection.Emit;

namespace Transmeta.Backend.Il;

/// <summary>Shortest encodings for constants (ILGenerator always emits the long forms).</summary>
internal static class IlGeneratorExtensions
{
    public static void EmitI4(this ILGenerator il, int value)
    {
        switch (value)
        {
            case -1: il.Emit(OpCodes.Ldc_I4_M1); return;
            case 0: il.Emit(OpCodes.Ldc_I4_0); return;
            case 1: il.Emit(OpCodes.Ldc_I4_1); return;
            case 2: il.Emit(OpCodes.Ldc_I4_2); return;
            case 3: il.Emit(OpCodes.Ldc_I4_3); return;
            case 4: il.Emit(OpCodes.Ldc_I4_4); return;
            case 5: il.Emit(OpCodes.Ldc_I4_5); return;
            case 6: il.Emit(OpCodes.Ldc_I4_6); return;
            case 7: il.Emit(OpCodes.Ldc_I4_7); return;
            case 8: il.Emit(OpCodes.Ldc_I4_8); return;
        }
        if (value is >= sbyte.MinValue and <= sbyte.MaxValue) il.Emit(OpCodes.Ldc_I4_S, (sbyte)value);
        else il.Emit(OpCodes.Ldc_I4, value);
    }

    /// <summary>An int64 constant; small values as ldc.i4 + conv (fewer IL bytes, same code).</summary>
    public static void EmitI8(this ILGenerator il, long value)
    {
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            il.EmitI4((int)value);
            il.Emit(OpCodes.Conv_I8);
        }
        else if (value is > int.MaxValue and <= uint.MaxValue)
        {
            il.EmitI4((int)(uint)value);
            il.Emit(OpCodes.Conv_U8);
        }
        else il.Emit(OpCodes.Ldc_I8, value);
    }

    /// <summary>Adds a byte offset to the native pointer on the stack (nothing for 0).</summary>
    public static void EmitAddOffset(this ILGenerator il, int offset)
    {
        if (offset == 0) return;
        il.EmitI4(offset);
        il.Emit(OpCodes.Add);
    }
}
