namespace Transmeta.IR.Passes;

/// <summary>
/// Replaces calls of helpers that have an IR <see cref="HelperDescriptor.Body"/> with that body,
/// for backends where a call costs more than the computation (native code calling back into
/// .NET). The interpreter and the IL backend call the managed helper instead, which for them is
/// cheaper than a few dozen more IR operations. Returns a new block (the original may be shared
/// with another tier); the same block when there is nothing to inline.
/// </summary>
public static class HelperInlining
{
    public static IrBlock Apply(IrBlock block)
    {
        if (!HasInlinableCall(block)) return block;
        var types = new List<IrType>(block.TempTypes);
        var code = new List<IrInstruction>(block.Count * 2);
        var newIndex = new int[block.Count];
        for (int i = 0; i < block.Count; i++)
        {
            IrInstruction ins = block.Instructions[i];
            newIndex[i] = code.Count;
            HelperBody? body = ins.Op == Opcode.CallHelper ? block.Helpers[ins.Aux].Body : null;
            if (body is null)
            {
                code.Add(ins);
                continue;
            }
            var map = new int[body.TempTypes.Count];
            for (int p = 0; p < HelperBody.ParameterCount; p++)
            {
                int arg = ins.Operand(p);
                if (arg < 0)
                {
                    types.Add(IrType.I64);
                    arg = types.Count - 1;
                    code.Add(new IrInstruction { Op = Opcode.Const, Type = IrType.I64, Dst = arg, A = -1, B = -1, C = -1, D = -1 });
                }
                map[p] = arg;
            }
            for (int t = HelperBody.ParameterCount; t < map.Length; t++)
            {
                if (t == body.Result && ins.Dst >= 0)
                {
                    map[t] = ins.Dst;
                    continue;
                }
                types.Add(body.TempTypes[t]);
                map[t] = types.Count - 1;
            }
            foreach (IrInstruction b in body.Code)
            {
                IrInstruction copy = b;
                copy.Dst = map[b.Dst];
                for (int k = 0; k < b.OperandCount; k++) copy.SetOperand(k, map[b.Operand(k)]);
                code.Add(copy);
            }
        }
        var inlined = new IrBlock(block.GuestAddress, code.ToArray(), code.Count, types, block.LabelCount, block.Helpers, block.Layout)
        {
            GuestInstructionCount = block.GuestInstructionCount,
            GuestByteLength = block.GuestByteLength,
            RegionBlocks = block.RegionBlocks,
        };
        inlined.GuestRanges.AddRange(block.GuestRanges);
        // (The region translator reads these before the passes; after them an index may point
        // past the shortened block, and is kept as it was.)
        foreach (var (exitIndex, target) in block.DirectExits)
            inlined.DirectExits.Add((exitIndex < newIndex.Length ? newIndex[exitIndex] : exitIndex, target));
        return inlined;
    }

    private static bool HasInlinableCall(IrBlock block)
    {
        foreach (ref readonly IrInstruction ins in block.Span)
            if (ins.Op == Opcode.CallHelper && block.Helpers[ins.Aux].Body is not null) return true;
        return false;
    }
}
