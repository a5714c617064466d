using Transmeta.Frontend.Lifting;

namespace Transmeta.Frontend.Lifters;

/// <summary>The lifter table with every instruction family registered.</summary>
public static class AllLifters
{
    public static LifterTable Table { get; } = Build();

    private static LifterTable Build()
    {
        var table = new LifterTable();
        Arithmetic.AddTo(table);
        ControlFlow.AddTo(table);
        DataMovement.AddTo(table);
        Stack.AddTo(table);
        Shifts.AddTo(table);
        Rotates.AddTo(table);
        DoubleShifts.AddTo(table);
        BitOps.AddTo(table);
        MulDiv.AddTo(table);
        Sensitive.AddTo(table);
        Strings.AddTo(table);
        Bcd.AddTo(table);
        FlagOps.AddTo(table);
        StackFrames.AddTo(table);
        Conversions.AddTo(table);
        Atomics.AddTo(table);
        Conditionals.AddTo(table);
        X87Lifters.AddTo(table);
        return table;
    }
}
