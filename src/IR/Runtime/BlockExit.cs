namespace Transmeta.IR;

/// <summary>Why a compiled block returned. Frontends pick the codes of their own exits from
/// the first three; backends produce <see cref="Fault"/> and <see cref="CodeModified"/> themselves.</summary>
public static class BlockExit
{
    /// <summary>The next guest PC is in state; keep dispatching.</summary>
    public const int Jump = 0;
    /// <summary>A sensitive instruction needs the VMM; its request is in guest state.</summary>
    public const int Hypercall = 1;
    /// <summary>A guest fault is recorded in guest state; PC is the faulting instruction.</summary>
    public const int Fault = 2;
    /// <summary>The block wrote to translated code; PC is the next instruction to run.</summary>
    public const int CodeModified = 3;
    /// <summary>The block stopped early so the VMM can deliver an event (deadline reached).</summary>
    public const int Interrupted = 4;
    /// <summary>The block stopped before an instruction for which an assumption its translation
    /// made does not hold now (for x86: the x87 TOP or control word); PC is that instruction, and
    /// the VMM runs it from a translation that assumes nothing.</summary>
    public const int Slow = 5;
}
