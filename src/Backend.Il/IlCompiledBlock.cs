using System.Reflection.Emit;
using Transmeta.IR;

namespace Transmeta.Backend.Il;

/// <summary>Entry point of an IL-compiled block.</summary>
public unsafe delegate int IlBlockEntry(RuntimeContext* ctx);

/// <summary>A block compiled to a <see cref="DynamicMethod"/> named after its guest address.</summary>
public sealed unsafe class IlCompiledBlock : CompiledBlock
{
    private readonly IlBlockEntry _entry;

    internal IlCompiledBlock(IrBlock source, DynamicMethod method, IlBlockEntry entry, int ilBytes, int ilLocals)
        : base(source)
    {
        Method = method;
        _entry = entry;
        IlBytes = ilBytes;
        IlLocals = ilLocals;
    }

    public override string Tier => "il";

    /// <summary>The generated method (its name is <see cref="IrBlock.Name"/>, e.g. <c>blk_00101234</c>).</summary>
    public DynamicMethod Method { get; }

    /// <summary>The compiled entry point.</summary>
    public IlBlockEntry Entry => _entry;

    /// <summary>Size of the generated IL in bytes.</summary>
    public int IlBytes { get; }

    /// <summary>IL locals declared for temporaries (after sharing between disjoint live ranges).</summary>
    public int IlLocals { get; }

    public override int Execute(RuntimeContext* context) => _entry(context);
}
