using System.Runtime.InteropServices;
using Transmeta.Backend.Interp;
using Transmeta.IR;
using Xunit;

namespace Transmeta.Tests.IR;

/// <summary>Shared pieces for the IR tests: a helper table with one helper of each kind, a
/// compact printer, block cloning, and a small machine (state, soft TLB, memory) on which to run
/// blocks with the reference interpreter.</summary>
public static unsafe class IrTestKit
{
    public static readonly StateLayout Layout = new(0, 8, 16);

    /// <summary>Helper ids in <see cref="Helpers"/>.</summary>
    public const int HPure = 0, HTouch = 1, HFault = 2, HPlain = 3;

    /// <summary>Offset in state that the touch-state helper reads and writes.</summary>
    public const int TouchOffset = 32;

    /// <summary>pure_mix (Pure), touch (TouchesState: state[32] += a, returns old),
    /// check (MayFault: faults when a == 0xDEAD), plain (no flags, no effect that matters).</summary>
    public static HelperTable Helpers()
    {
        var h = new HelperTable();
        h.Register(new HelperDescriptor { Name = "pure_mix", Managed = &PureMix, Pure = true });
        h.Register(new HelperDescriptor { Name = "touch", Managed = &Touch, TouchesState = true });
        h.Register(new HelperDescriptor { Name = "check", Managed = &Check, MayFault = true });
        h.Register(new HelperDescriptor { Name = "plain", Managed = &Plain });
        return h;
    }

    public static IrBuilder Builder() => new(Helpers(), Layout);

    private static ulong PureMix(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d) =>
        a * 31 + (b ^ 0x5555) + (c << 3) - d;

    private static ulong Touch(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d)
    {
        uint* p = (uint*)(ctx->State + TouchOffset);
        uint old = *p;
        *p = old + (uint)a;
        return old;
    }

    private static ulong Check(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d)
    {
        if ((uint)a == 0xDEAD)
        {
            ctx->Status = RuntimeContext.StatusFault;
            *(uint*)(ctx->State + 60) = 0xFA;
        }
        return a + 1;
    }

    private static ulong Plain(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d) => a ^ b;

    /// <summary>The instructions, one a line, without indentation or the block header.</summary>
    public static string Ops(IrBlock block) =>
        string.Join("\n", block.Span.ToArray().Select(i => IrPrinter.Format(i, block.Helpers).Trim()));

    /// <summary>Normalizes an expected listing written as a raw string.</summary>
    public static string Lines(string text) =>
        string.Join("\n", text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    public static IrBlock Clone(IrBlock b) =>
        new(b.GuestAddress, (IrInstruction[])b.Instructions.Clone(), b.Count, new List<IrType>(b.TempTypes),
            b.LabelCount, b.Helpers, b.Layout)
        { GuestInstructionCount = b.GuestInstructionCount, GuestByteLength = b.GuestByteLength };

    // ---- a small machine for the interpreter ----

    public const int StateSize = 128;
    public const int MemorySize = 4096;
    /// <summary>Writes at or above this address report "code modified"; reads/writes at or above
    /// <see cref="MemorySize"/> fault.</summary>
    public const int CodeStart = 3584;

    [ThreadStatic] private static byte[]? t_memory;

    public sealed record RunResult(int Exit, int Status, byte[] State, byte[] Memory)
    {
        public void AssertSame(RunResult other, string context)
        {
            Assert.True(Exit == other.Exit, $"exit {Exit} vs {other.Exit}\n{context}");
            Assert.True(Status == other.Status, $"status {Status} vs {other.Status}\n{context}");
            for (int i = 0; i < State.Length; i++)
                Assert.True(State[i] == other.State[i], $"state byte {i}: {State[i]:x2} vs {other.State[i]:x2}\n{context}");
            Assert.True(Memory.AsSpan().SequenceEqual(other.Memory), $"memory differs\n{context}");
        }
    }

    /// <summary>Like <see cref="Run"/> but fails instead of hanging when a broken pass turns a
    /// counted loop into an endless one.</summary>
    public static RunResult RunBounded(IrBlock block, byte[] initialState, byte[] initialMemory)
    {
        var task = Task.Run(() => Run(block, initialState, initialMemory));
        Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "block did not finish (endless loop?)\n" + IrPrinter.Print(block));
        return task.Result;
    }

    /// <summary>Runs a block once on the interpreter from the given state and memory (copied).</summary>
    public static RunResult Run(IrBlock block, byte[] initialState, byte[] initialMemory)
    {
        CompiledBlock compiled = new IrInterpreter().Compile(block);
        var ctx = (RuntimeContext*)NativeMemory.AllocZeroed((nuint)sizeof(RuntimeContext));
        var state = (byte*)NativeMemory.AllocZeroed(StateSize);
        var readTlb = (TlbEntry*)NativeMemory.AllocZeroed((nuint)(SoftTlbLayout.Entries * sizeof(TlbEntry)));
        var writeTlb = (TlbEntry*)NativeMemory.AllocZeroed((nuint)(SoftTlbLayout.Entries * sizeof(TlbEntry)));
        try
        {
            for (int i = 0; i < SoftTlbLayout.Entries; i++)
            {
                readTlb[i].Tag = SoftTlbLayout.InvalidTag;
                writeTlb[i].Tag = SoftTlbLayout.InvalidTag;
            }
            initialState.AsSpan().CopyTo(new Span<byte>(state, StateSize));
            t_memory = (byte[])initialMemory.Clone();
            ctx->State = state;
            ctx->ReadTlb = readTlb;
            ctx->WriteTlb = writeTlb;
            ctx->ReadSlow = &ReadSlow;
            ctx->WriteSlow = &WriteSlow;
            int exit = compiled.Execute(ctx);
            return new RunResult(exit, ctx->Status, new Span<byte>(state, StateSize).ToArray(), t_memory);
        }
        finally
        {
            NativeMemory.Free(writeTlb);
            NativeMemory.Free(readTlb);
            NativeMemory.Free(state);
            NativeMemory.Free(ctx);
            t_memory = null;
        }
    }

    private static uint ReadSlow(RuntimeContext* ctx, uint address, int size)
    {
        byte[] m = t_memory!;
        if (address > MemorySize - (uint)size)
        {
            ctx->Status = RuntimeContext.StatusFault;
            *(uint*)(ctx->State + 60) = address;
            return 0;
        }
        uint v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | m[address + i];
        return v;
    }

    private static void WriteSlow(RuntimeContext* ctx, uint address, int size, uint value)
    {
        byte[] m = t_memory!;
        if (address > MemorySize - (uint)size)
        {
            ctx->Status = RuntimeContext.StatusFault;
            *(uint*)(ctx->State + 60) = address;
            return;
        }
        for (int i = 0; i < size; i++) m[address + i] = (byte)(value >> (8 * i));
        if (address >= CodeStart) ctx->Status = RuntimeContext.StatusCodeModified;
    }
}
