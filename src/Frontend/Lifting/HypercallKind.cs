namespace Transmeta.Frontend;

/// <summary>
/// What a hypercall exit asks the VMM to do. The lifter of a sensitive instruction stores the
/// kind and its operands in CpuState (HcKind, HcArg0..2, HcNextEip) and leaves the block; the
/// VMM performs the instruction's effect and resumes at HcNextEip (VMware-style BT callouts).
/// </summary>
public enum HypercallKind : uint
{
    /// <summary>IN: Arg0 = port, Arg1 = size in bytes. The VMM writes AL/AX/EAX.</summary>
    In = 1,
    /// <summary>OUT: Arg0 = port, Arg1 = size, Arg2 = value.</summary>
    Out,
    /// <summary>INS/OUTS (with or without REP): Arg0 = port, Arg1 = size,
    /// Arg2 = flags (bit 0: rep; bit 1: 16-bit addressing; bit 2: out). The VMM moves the data and
    /// updates ESI/EDI/ECX by the direction flag.</summary>
    InsOuts,
    Hlt,
    Cli,
    Sti,
    Cpuid,
    Rdtsc,
    /// <summary>MOV Sreg / POP Sreg: Arg0 = segment register (Iced order ES..GS), Arg1 = selector,
    /// Arg2 = bytes to release from the stack once the load succeeded (POP). The VMM reads the
    /// descriptor (Intel SDM Vol. 3A §3.4.5) and raises #GP/#NP/#SS as a processor would.</summary>
    LoadSegment,
}
