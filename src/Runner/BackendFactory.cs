using Transmeta.IR;

namespace Transmeta.Runner;

/// <summary>The translation backends the runner can select by name.</summary>
public static class BackendFactory
{
    public static readonly string[] Names = ["interp", "il"];

    public static IBlockCompiler Create(string name) => name switch
    {
        "interp" => new Transmeta.Backend.Interp.IrInterpreter(),
        "il" => new Transmeta.Backend.Il.IlCompiler(),
        _ => throw new ArgumentException($"unknown backend '{name}' (choose from {string.Join(", ", Names)})"),
    };
}
