namespace Transmeta.IR;

/// <summary>
/// A function the generated code may call: the frontend registers what it needs (for example
/// computing lazily evaluated condition flags) so backends can call it without knowing what it
/// does. Every helper has one signature, <c>ulong F(RuntimeContext*, ulong, ulong, ulong, ulong)</c>.
/// </summary>
public sealed unsafe class HelperDescriptor
{
    public required string Name { get; init; }
    /// <summary>Managed entry point, called directly by the interpreter and the IL backend.</summary>
    public required delegate*<RuntimeContext*, ulong, ulong, ulong, ulong, ulong> Managed { get; init; }
    /// <summary>Entry point with the platform calling convention ([UnmanagedCallersOnly]), for
    /// native code; zero where the helper has none yet.</summary>
    public nint Unmanaged { get; init; }
    /// <summary>The helper may record a guest fault in <see cref="RuntimeContext.Status"/>.</summary>
    public bool MayFault { get; init; }
    /// <summary>The helper reads or writes guest state, so state must be in memory around it.</summary>
    public bool TouchesState { get; init; }
    /// <summary>Same arguments, same result, no effects: calls may be folded or removed.</summary>
    public bool Pure { get; init; }
    /// <summary>The same computation in IR, for backends that inline it (pure helpers only).</summary>
    public HelperBody? Body { get; init; }
}

/// <summary>The helpers a frontend registered, indexed by the id the IR's CallHelper carries.</summary>
public sealed class HelperTable
{
    private readonly List<HelperDescriptor> _helpers = new();

    public int Register(HelperDescriptor helper)
    {
        _helpers.Add(helper);
        return _helpers.Count - 1;
    }

    public HelperDescriptor this[int id] => _helpers[id];
    public int Count => _helpers.Count;
}
