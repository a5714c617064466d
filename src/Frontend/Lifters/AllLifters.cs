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
        return table;
    }
}
