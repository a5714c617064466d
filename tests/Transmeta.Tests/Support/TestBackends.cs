using Transmeta.IR;

namespace Transmeta.Tests.Support;

/// <summary>The backends every instruction-level and guest-image test runs on, by name.</summary>
public static class TestBackends
{
    public static IEnumerable<object[]> Names => new[] { new object[] { "interp" }, new object[] { "il" } };

    public static IBlockCompiler Create(string name) => name switch
    {
        "interp" => new Transmeta.Backend.Interp.IrInterpreter(),
        "il" => new Transmeta.Backend.Il.IlCompiler(),
        _ => throw new ArgumentException(name),
    };
}
