namespace Transmeta.IR;

/// <summary>
/// The few places in guest state that backends must know without knowing the guest: where the
/// program counter (I32) and the retired-instruction counter (I64) live, and the instruction
/// budget (I64: generated code may go on into the next unit without returning to the VMM only
/// while retired &lt; deadline). Backends use them to leave a block at a faulting instruction and
/// to chain units (<see cref="ChainTableLayout"/>).
/// </summary>
public readonly record struct StateLayout(int PcOffset, int RetiredOffset, int DeadlineOffset);
