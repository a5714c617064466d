namespace Transmeta.Vmm.Execution;

/// <summary>Why a run ended.</summary>
public enum StopReason
{
    /// <summary>The guest wrote to the debug-exit port (0xF4).</summary>
    GuestExit,
    /// <summary>HLT with nothing left that could wake the CPU.</summary>
    Halted,
    /// <summary>The --max-instructions budget ran out.</summary>
    InstructionLimit,
    /// <summary>A fault could not be delivered (no IDT entry): a real CPU would triple-fault and reset.</summary>
    TripleFault,
}

/// <summary>The end of a run: why, the process exit status it implies, and a message for the user.</summary>
public sealed record RunResult(StopReason Reason, int ExitStatus, string Message);
