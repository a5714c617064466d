namespace Transmeta.Frontend.State;

/// <summary>Names of CpuState fields by offset, for IR dumps (<c>ld.i32 eax</c> rather than <c>state+0</c>).</summary>
public static class StateNames
{
    private static readonly string[] Gprs = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
    private static readonly string[] Segs = ["es", "cs", "ss", "ds", "fs", "gs"];

    public static string Describe(int offset) => offset switch
    {
        < 32 when offset % 4 == 0 => Gprs[offset / 4],
        CpuState.OffEip => "eip",
        CpuState.OffEflags => "eflags",
        CpuState.OffCcOp => "cc_op",
        CpuState.OffCcRes => "cc_res",
        CpuState.OffCcSrc1 => "cc_src1",
        CpuState.OffCcSrc2 => "cc_src2",
        CpuState.OffCcAux => "cc_aux",
        CpuState.OffRetired => "retired",
        CpuState.OffDeadline => "deadline",
        >= CpuState.OffSegments and < CpuState.OffSegments + 6 * CpuState.SegmentSize =>
            $"{Segs[(offset - CpuState.OffSegments) / CpuState.SegmentSize]}.{((offset - CpuState.OffSegments) % CpuState.SegmentSize) switch { 0 => "base", 4 => "limit", 8 => "sel", _ => "attr" }}",
        CpuState.OffHcKind => "hc_kind",
        CpuState.OffHcArg0 => "hc_arg0",
        CpuState.OffHcArg1 => "hc_arg1",
        CpuState.OffHcArg2 => "hc_arg2",
        CpuState.OffHcNextEip => "hc_next_eip",
        CpuState.OffFaultVector => "fault_vector",
        CpuState.OffFaultErrorCode => "fault_error",
        CpuState.OffFaultHasError => "fault_has_error",
        _ => $"state+{offset}",
    };
}
