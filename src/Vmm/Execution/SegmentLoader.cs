using Transmeta.Frontend.State;
using Transmeta.Vmm.Memory;

namespace Transmeta.Vmm.Execution;

/// <summary>
/// Loads a data or stack segment register in protected mode (Intel SDM Vol. 3A §5.4.1 and
/// Vol. 2B, MOV/POP "Protected Mode Exceptions"): a null selector is allowed in DS/ES/FS/GS and
/// #GP(0) in SS; otherwise the descriptor comes from the GDT (LDTs are not supported yet, so a
/// TI=1 selector is #GP(selector)), must be a readable segment (writable data for SS) with
/// DPL/RPL rules against CPL, and present (#NP, or #SS for SS). Sets the accessed bit, as
/// hardware does.
/// </summary>
public static unsafe class SegmentLoader
{
    /// <summary>Returns null on success, else the fault (vector, error code).</summary>
    public static (int Vector, uint Error)? Load(CpuState* cpu, GuestMemory memory, int seg, ushort selector)
    {
        ref SegmentCache s = ref cpu->Segment(seg);
        uint index = selector & 0xFFF8u;
        uint rpl = selector & 3u;
        if (index == 0 && (selector & 4) == 0)
        {
            if (seg == SegReg.SS) return (ExceptionVectors.GeneralProtection, 0);
            s.Selector = selector;
            s.Base = 0;
            s.Limit = 0;
            s.Attributes = 0; // not present: a later use faults on real hardware
            return null;
        }
        uint errorCode = selector & 0xFFFCu;
        if ((selector & 4) != 0 || index + 7 > cpu->GdtrLimit) return (ExceptionVectors.GeneralProtection, errorCode);
        uint address = cpu->GdtrBase + index;
        uint lo = memory.Read(address, 4), hi = memory.Read(address + 4, 4);
        uint type = (hi >> 8) & 0xF;
        bool system = (hi & (1u << 12)) == 0;
        uint dpl = (hi >> 13) & 3;
        bool present = (hi & (1u << 15)) != 0;
        bool code = (type & 8) != 0;
        bool readable = !code || (type & 2) != 0;
        bool writable = !code && (type & 2) != 0;
        bool conforming = code && (type & 4) != 0;
        uint cpl = cpu->Cpl;
        if (system) return (ExceptionVectors.GeneralProtection, errorCode);
        if (seg == SegReg.SS)
        {
            if (!writable || rpl != cpl || dpl != cpl) return (ExceptionVectors.GeneralProtection, errorCode);
            if (!present) return (ExceptionVectors.StackFault, errorCode);
        }
        else
        {
            if (!readable) return (ExceptionVectors.GeneralProtection, errorCode);
            if (!conforming && (rpl > dpl || cpl > dpl)) return (ExceptionVectors.GeneralProtection, errorCode);
            if (!present) return (ExceptionVectors.SegmentNotPresent, errorCode);
        }
        if ((type & 1) == 0) memory.Write(address + 4, 4, hi | (1u << 8)); // accessed
        uint limit = (lo & 0xFFFF) | (hi & 0xF_0000);
        if ((hi & (1u << 23)) != 0) limit = (limit << 12) | 0xFFF; // 4 KiB granularity
        s.Selector = selector;
        s.Base = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF00_0000);
        s.Limit = limit;
        s.Attributes = (hi >> 8) & 0xF0FF | 1; // type (accessed), S, DPL, P, AVL, D/B, G
        return null;
    }
}
