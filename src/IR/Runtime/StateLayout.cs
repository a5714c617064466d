namespace Transmeta.IR;

/// <summary>
/// The few places in guest state that backends must know without knowing the guest: where the
/// program counter (I32) and the retired-instruction counter (I64) live. Backends use them to
/// leave a block at a faulting instruction.
/// </summary>
public readonly record struct StateLayout(int PcOffset, int RetiredOffset);
