using Transmeta.IR;

namespace Transmeta.Vmm.Profiling;

/// <summary>
/// The guest code a compiled unit covers, for a plain block or a region: distinct guest
/// instructions (the IR's instruction markers) and guest bytes (the union of its ranges; a region's
/// own <see cref="IrBlock.GuestInstructionCount"/> and <see cref="IrBlock.GuestByteLength"/>
/// describe its first block only).
/// </summary>
public readonly record struct UnitShape(int Instructions, int Bytes)
{
    public static UnitShape Of(IrBlock block)
    {
        var starts = new HashSet<uint>();
        foreach (ref readonly IrInstruction ins in block.Span)
            if (ins.Op == Opcode.InsnStart) starts.Add((uint)ins.Imm);
        int instructions = Math.Max(starts.Count, block.GuestInstructionCount);

        int bytes = block.GuestByteLength;
        if (block.GuestRanges.Count > 0)
        {
            var ranges = block.GuestRanges.Where(r => r.Length > 0).OrderBy(r => r.Start).ToList();
            long total = 0, end = -1;
            foreach (var (start, length) in ranges)
            {
                long s = start, e = (long)start + length;
                if (e <= end) continue;
                total += e - Math.Max(s, end);
                end = e;
            }
            bytes = (int)Math.Max(total, bytes);
        }
        return new UnitShape(instructions, bytes);
    }
}
