using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Transmeta.Frontend.Decoding;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.DiffTest;

/// <summary>
/// Runs sequences on one backend with the harness's memory layout: the code page and the data
/// buffer are the only mapped pages (in the soft TLB; anything else faults with #PF), the mode
/// is flat 32-bit at CPL 3 as the native process runs, and the segment selectors are the
/// native process's. The code is followed by a jump to <see cref="Sentinel"/>: reaching it ends
/// the run. Each sequence is translated once (a fresh translation cache per sequence), as the
/// execution engine does by default: in regions (the blocks reachable by direct jumps on the
/// page joined into one unit), or block by block.
/// </summary>
public sealed unsafe class TransmetaRunner : IDisposable
{
    /// <summary>Where the appended final jump goes: off the code page (so no region reaches
    /// it), never executed.</summary>
    public const uint Sentinel = 0x0030_0000;
    public const int MaxBlocks = 10_000;

    private readonly IBlockCompiler _backend;
    private readonly bool _optimize;
    /// <summary>Compiled blocks by address; bit 32 set for the unspecialized translations run
    /// after a BlockExit.Slow (as the execution engine does).</summary>
    private readonly Dictionary<ulong, CompiledBlock> _cache = new();
    private readonly X86Translator _translator;
    private readonly RegionTranslator? _regions;
    private readonly byte* _code;
    private readonly byte* _data;
    private readonly RuntimeContext* _ctx;
    private readonly CpuState* _cpu;
    private readonly ushort[] _selectors;
    private GCHandle _self;
    private int _lastLength;

    /// <summary>Stopwatch ticks spent (all runners): translating, in the IR passes, verifying,
    /// compiling, running blocks (with a compiled backend's JIT on first run); blocks translated,
    /// their IL bytes, BlockExit.Slow exits, and accesses behind shared probes (GuestAccessGrouping).</summary>
    public static readonly long[] Timing = new long[9];
    public static readonly DecodeMode Mode = new(32, true, 3, 4);

    /// <param name="selectors">CS DS ES SS FS GS of the native process (the harness's hello).</param>
    /// <param name="lifters">A lifter table other than the frontend's (the tester's self-test
    /// injects a broken lifter this way).</param>
    /// <param name="regions">Translate regions, as the execution engine does (else single blocks).</param>
    public TransmetaRunner(IBlockCompiler backend, ushort[] selectors, bool optimize = true, LifterTable? lifters = null,
        bool regions = true)
    {
        _backend = backend;
        _translator = lifters is null ? new X86Translator() : new X86Translator(lifters);
        _regions = regions ? new RegionTranslator(_translator) : null;
        _optimize = optimize;
        _selectors = selectors;
        _code = (byte*)NativeMemory.AlignedAlloc(Layout.CodeSize, 4096);
        _data = (byte*)NativeMemory.AlignedAlloc(Layout.DataSize, 4096);
        NativeMemory.Clear(_code, Layout.CodeSize);
        _cpu = (CpuState*)NativeMemory.AllocZeroed((nuint)CpuState.Size);
        _ctx = (RuntimeContext*)NativeMemory.AllocZeroed((nuint)sizeof(RuntimeContext));
        _ctx->State = (byte*)_cpu;
        _ctx->ReadTlb = (TlbEntry*)NativeMemory.AllocZeroed(SoftTlbLayout.Entries * (nuint)sizeof(TlbEntry));
        _ctx->WriteTlb = (TlbEntry*)NativeMemory.AllocZeroed(SoftTlbLayout.Entries * (nuint)sizeof(TlbEntry));
        for (uint i = 0; i < SoftTlbLayout.Entries; i++)
            _ctx->ReadTlb[i].Tag = _ctx->WriteTlb[i].Tag = SoftTlbLayout.InvalidTag;
        Map(_ctx->ReadTlb, Layout.CodeBase, _code);
        for (uint page = 0; page < Layout.DataSize; page += SoftTlbLayout.PageSize)
        {
            Map(_ctx->ReadTlb, Layout.DataBase + page, _data + page);
            Map(_ctx->WriteTlb, Layout.DataBase + page, _data + page);
        }
        _self = GCHandle.Alloc(this);
        _ctx->Owner = GCHandle.ToIntPtr(_self);
        _ctx->ReadSlow = &ReadSlow;
        _ctx->WriteSlow = &WriteSlow;
        _ctx->ReadSlowUnmanaged = (nint)(delegate* unmanaged<RuntimeContext*, uint, int, uint>)&ReadSlowNative;
        _ctx->WriteSlowUnmanaged = (nint)(delegate* unmanaged<RuntimeContext*, uint, int, uint, void>)&WriteSlowNative;
        _ctx->ProbeSlow = &ProbeSlow;
        _ctx->ProbeSlowUnmanaged = (nint)(delegate* unmanaged<RuntimeContext*, uint, uint, int, nint>)&ProbeSlowNative;
    }

    public string Backend => _backend.Name;
    public Span<byte> Data => new(_data, (int)Layout.DataSize);

    private static void Map(TlbEntry* tlb, uint page, byte* host)
    {
        TlbEntry* e = tlb + ((page >> SoftTlbLayout.PageBits) & SoftTlbLayout.IndexMask);
        e->Tag = page;
        e->Addend = (nint)host - (nint)page;
    }

    /// <summary>The last run's blocks (for printing their IR).</summary>
    public IEnumerable<CompiledBlock> Blocks => _cache.Values;

    public Outcome Run(CompiledSequence seq, bool wantMemory = false)
    {
        var outcome = new Outcome();
        try
        {
            RunCore(seq, outcome);
        }
        catch (Exception e)
        {
            outcome.Error = $"{e.GetType().Name}: {e.Message}";
        }
        var words = MemoryMarshal.Cast<byte, ulong>(Data);
        outcome.MemoryHash = DataFill.Hash(words);
        if (wantMemory || seq.MaskedMemory.Length > 0) outcome.Memory = Data.ToArray();
        return outcome;
    }

    private void RunCore(CompiledSequence seq, Outcome outcome)
    {
        InitialState init = seq.Source.Init;
        // Code, then JMP rel32 to the sentinel; clear what the previous sequence left.
        var code = new Span<byte>(_code, (int)Layout.CodeSize);
        code[..Math.Min(_lastLength, code.Length)].Clear();
        seq.Code.CopyTo(code);
        uint end = seq.EndEip;
        int n = seq.Code.Length;
        code[n] = 0xE9;
        BitConverter.TryWriteBytes(code[(n + 1)..], (int)(Sentinel - (end + 5)));
        _lastLength = n + 5;
        _cache.Clear();

        DataFill.Fill(MemoryMarshal.Cast<byte, uint>(Data), init.MemorySeed, init.ZeroMemory);

        NativeMemory.Clear(_cpu, (nuint)CpuState.Size);
        for (int i = 0; i < 8; i++) _cpu->Gpr[i] = init.Regs[i];
        _cpu->SetEflags(init.Eflags);
        fixed (byte* img = init.Fpu)
        {
            Transmeta.Frontend.Fpu.FpuImages.LoadEnv((byte*)_cpu, img, size32: true);
            Transmeta.Frontend.Fpu.FpuImages.LoadRegisters((byte*)_cpu, img + 28);
        }
        _cpu->Eip = Layout.CodeBase;
        // One run in four has an instruction deadline that comes early and keeps coming: a REP
        // string instruction then leaves its block between iterations (as for an interrupt)
        // and resumes from guest state, which must make no difference.
        ulong interruptEvery = (ulong)(seq.Source.Index & 3) == 0 ? 1 + (ulong)(seq.Source.Index >> 2) % 4 : 0;
        _cpu->Deadline = interruptEvery == 0 ? ulong.MaxValue : interruptEvery;
        _cpu->Cpl = 3;
        int[] order = [SegReg.CS, SegReg.DS, SegReg.ES, SegReg.SS, SegReg.FS, SegReg.GS];
        for (int i = 0; i < 6; i++)
        {
            ref SegmentCache s = ref _cpu->Segment(order[i]);
            s.Selector = _selectors[i];
            s.Base = 0;
            s.Limit = 0xFFFF_FFFF;
        }

        var reader = new CodeReader(_code);
        bool unspecialized = false;
        for (int blocks = 0; ; blocks++)
        {
            uint eip = _cpu->Eip;
            if (eip == Sentinel) { outcome.Eip = end; break; }
            if (blocks >= MaxBlocks) { outcome.Error = $"more than {MaxBlocks} blocks"; break; }
            if (eip - Layout.CodeBase >= Layout.CodeSize)
            {
                // A fetch from an unmapped page: a page fault at the target.
                outcome.Trap = ExceptionVectors.PageFault;
                outcome.Eip = eip;
                break;
            }
            ulong key = eip | (unspecialized ? 1UL << 32 : 0);
            if (!_cache.TryGetValue(key, out CompiledBlock? block))
            {
                long t0 = Stopwatch.GetTimestamp();
                // As the engine: assume the x87 TOP the CPU has now (checked by the block itself).
                DecodeMode mode = Mode with { Unspecialized = unspecialized };
                int x87Top = unspecialized ? -1 : X87StackTracking.EntryTopOf((byte*)_cpu);
                IrBlock ir = _regions is not null ? _regions.Translate(reader, eip, mode, x87Top) : _translator.Translate(reader, eip, mode, x87Top, out _);
                long t1 = Stopwatch.GetTimestamp();
                if (_optimize) Transmeta.IR.Passes.PassPipeline.Optimize(ir);
                // As the engine: shared probes in translations that may leave with BlockExit.Slow.
                if (_optimize && !unspecialized) Interlocked.Add(ref Timing[8], Transmeta.IR.Passes.GuestAccessGrouping.Run(ir));
                long t2 = Stopwatch.GetTimestamp();
                IrVerifier.Verify(ir);
                long t3 = Stopwatch.GetTimestamp();
                block = _backend.Compile(ir);
                long t4 = Stopwatch.GetTimestamp();
                Interlocked.Add(ref Timing[0], t1 - t0);
                Interlocked.Add(ref Timing[1], t2 - t1);
                Interlocked.Add(ref Timing[2], t3 - t2);
                Interlocked.Add(ref Timing[3], t4 - t3);
                Interlocked.Increment(ref Timing[5]);
                if (block is Transmeta.Backend.Il.IlCompiledBlock il) Interlocked.Add(ref Timing[6], il.IlBytes);
                _cache[key] = block;
            }
            _ctx->Status = RuntimeContext.StatusOk;
            long t5 = Stopwatch.GetTimestamp();
            int exit = block.Execute(_ctx);
            Interlocked.Add(ref Timing[4], Stopwatch.GetTimestamp() - t5);
            unspecialized = exit == BlockExit.Slow;
            if (unspecialized)
            {
                Interlocked.Increment(ref Timing[7]);
                continue;
            }
            if (exit == BlockExit.Interrupted)
            {
                if (interruptEvery == 0) { outcome.Error = $"interrupted at {_cpu->Eip:x8} without a deadline"; break; }
                _cpu->Deadline = _cpu->Retired + interruptEvery;
                continue;
            }
            if (exit == BlockExit.Jump) continue;
            if (exit == BlockExit.Fault)
            {
                outcome.Trap = (int)_cpu->FaultVector;
                outcome.Eip = _cpu->Eip;
                break;
            }
            outcome.Error = exit == BlockExit.Hypercall
                ? $"hypercall {(Transmeta.Frontend.HypercallKind)_cpu->HcKind} at {_cpu->Eip:x8}"
                : $"block exit {exit} at {_cpu->Eip:x8}";
            break;
        }
        for (int i = 0; i < 8; i++) outcome.Regs[i] = _cpu->Gpr[i];
        outcome.Eflags = _cpu->GetEflags();
        outcome.Fpu = new byte[FpuImage.Size];
        fixed (byte* img = outcome.Fpu)
        {
            Transmeta.Frontend.Fpu.FpuImages.StoreEnv((byte*)_cpu, img, size32: true);
            Transmeta.Frontend.Fpu.FpuImages.StoreRegisters((byte*)_cpu, img + 28);
        }
    }

    // Slow paths: misaligned accesses (the inline path takes aligned ones only), which may
    // cross into the next page of the buffer; anything outside the mapped pages is a page fault.

    private byte* Host(uint address, int size, bool write)
    {
        if (Layout.InData(address, (uint)size)) return _data + (address - Layout.DataBase);
        if (!write && address - Layout.CodeBase < Layout.CodeSize && address - Layout.CodeBase <= Layout.CodeSize - (uint)size)
            return _code + (address - Layout.CodeBase);
        return null;
    }

    private static TransmetaRunner Owner(RuntimeContext* ctx) => (TransmetaRunner)GCHandle.FromIntPtr(ctx->Owner).Target!;

    private static uint ReadSlow(RuntimeContext* ctx, uint address, int size)
    {
        byte* p = Owner(ctx).Host(address, size, write: false);
        if (p == null) return Fault(ctx, address);
        uint v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | p[i];
        return v;
    }

    private static void WriteSlow(RuntimeContext* ctx, uint address, int size, uint value)
    {
        byte* p = Owner(ctx).Host(address, size, write: true);
        if (p == null) { Fault(ctx, address); return; }
        for (int i = 0; i < size; i++) p[i] = (byte)(value >> (8 * i));
    }

    /// <summary>A probe's range must be accessible as a whole (the data buffer, or the code for a
    /// read): else it is refused, and the instruction runs with ordinary accesses and faults.</summary>
    private static nint ProbeSlow(RuntimeContext* ctx, uint address, uint length, int rights)
    {
        bool write = (rights & (int)ProbeRights.Write) != 0;
        byte* p = length is 0 or > 4096 ? null : Owner(ctx).Host(address, (int)length, write);
        return (nint)p;
    }

    [UnmanagedCallersOnly]
    private static nint ProbeSlowNative(RuntimeContext* ctx, uint address, uint length, int rights) =>
        ProbeSlow(ctx, address, length, rights);

    private static uint Fault(RuntimeContext* ctx, uint address)
    {
        var cpu = (CpuState*)ctx->State;
        cpu->FaultVector = ExceptionVectors.PageFault;
        cpu->Cr2 = address;
        ctx->Status = RuntimeContext.StatusFault;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static uint ReadSlowNative(RuntimeContext* ctx, uint address, int size) => ReadSlow(ctx, address, size);

    [UnmanagedCallersOnly]
    private static void WriteSlowNative(RuntimeContext* ctx, uint address, int size, uint value) => WriteSlow(ctx, address, size, value);

    private sealed class CodeReader(byte* code) : IGuestCodeReader
    {
        public int Read(uint linear, Span<byte> buffer)
        {
            uint offset = linear - Layout.CodeBase;
            if (offset >= Layout.CodeSize) return 0;
            int n = (int)Math.Min((uint)buffer.Length, Layout.CodeSize - offset);
            new Span<byte>(code + offset, n).CopyTo(buffer);
            return n;
        }
    }

    public void Dispose()
    {
        if (_self.IsAllocated) _self.Free();
        NativeMemory.Free(_ctx->ReadTlb);
        NativeMemory.Free(_ctx->WriteTlb);
        NativeMemory.Free(_ctx);
        NativeMemory.Free(_cpu);
        NativeMemory.AlignedFree(_code);
        NativeMemory.AlignedFree(_data);
    }
}
