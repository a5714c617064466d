using System.Runtime.InteropServices;
using Transmeta.Backend.Il;
using Transmeta.Backend.Interp;
using Transmeta.Backend.LLVM;
using Transmeta.IR;
using Xunit;

namespace Transmeta.Tests.Backends;

/// <summary>
/// A minimal runtime for backend tests: guest state and a small guest RAM in native memory, the
/// two soft-TLB arrays, and slow paths that count their calls. Guest RAM is
/// <see cref="RamPages"/> pages at <see cref="RamBase"/>:
/// <list type="bullet">
/// <item>pages 0-3: in both TLBs (identity: host = ram + (address - RamBase));</item>
/// <item>page 4 (<see cref="CodePage"/>): in the read TLB only; writes take the slow path, which
/// performs them and reports <see cref="RuntimeContext.StatusCodeModified"/> (a page holding code);</item>
/// <item>pages 5-7 (<see cref="SlowPage"/>...): in neither TLB; the slow paths serve them;</item>
/// <item>anything else: the slow paths record a fault (address in <see cref="FaultAddressOffset"/>).</item>
/// </list>
/// A memory probe's slow path grants a range inside RAM, for a write outside the code page, and
/// fills no TLB entry (so every probe of a page outside the TLB comes back to it).
/// The slow paths find their machine through <see cref="RuntimeContext.Owner"/> (a GCHandle), so
/// tests can run in parallel.
/// </summary>
public sealed unsafe class BackendTestMachine : IDisposable
{
    public const int StateSize = 1024;
    public const int PcOffset = 0;
    public const int RetiredOffset = 8;
    public const int FaultAddressOffset = 16;
    public const int DeadlineOffset = 24;
    public static readonly StateLayout Layout = new(PcOffset, RetiredOffset, DeadlineOffset);

    /// <summary>32-bit guest register slot i (0..31).</summary>
    public static int R(int i) => 32 + 4 * i;
    /// <summary>64-bit guest state slot i (0..63).</summary>
    public static int Q(int i) => 256 + 8 * i;

    public const uint RamBase = 0x0010_0000;
    public const int RamPages = 8;
    public const uint RamSize = RamPages * SoftTlbLayout.PageSize;
    public const uint CodePage = RamBase + 4 * SoftTlbLayout.PageSize;
    public const uint SlowPage = RamBase + 5 * SoftTlbLayout.PageSize;
    /// <summary>A guest address nothing maps: accesses fault.</summary>
    public const uint Unmapped = 0x0050_0000;

    private GCHandle _self;

    public BackendTestMachine()
    {
        Ctx = (RuntimeContext*)NativeMemory.AllocZeroed((nuint)sizeof(RuntimeContext));
        State = (byte*)NativeMemory.AllocZeroed(StateSize);
        Ram = (byte*)NativeMemory.AllocZeroed(RamSize);
        ReadTlb = (TlbEntry*)NativeMemory.AllocZeroed((nuint)(SoftTlbLayout.Entries * sizeof(TlbEntry)));
        WriteTlb = (TlbEntry*)NativeMemory.AllocZeroed((nuint)(SoftTlbLayout.Entries * sizeof(TlbEntry)));
        for (int i = 0; i < SoftTlbLayout.Entries; i++)
        {
            ReadTlb[i].Tag = SoftTlbLayout.InvalidTag;
            WriteTlb[i].Tag = SoftTlbLayout.InvalidTag;
        }
        for (int page = 0; page < 5; page++)
        {
            uint address = RamBase + (uint)page * SoftTlbLayout.PageSize;
            Map(ReadTlb, address);
            if (page < 4) Map(WriteTlb, address);
        }
        // Deterministic RAM contents: byte i = i * 7 + 3 (mod 256), plus a recognizable word per page.
        for (uint i = 0; i < RamSize; i++) Ram[i] = (byte)(i * 7 + 3);

        _self = GCHandle.Alloc(this);
        Ctx->State = State;
        Ctx->ReadTlb = ReadTlb;
        Ctx->WriteTlb = WriteTlb;
        Ctx->ReadSlow = &ReadSlowPath;
        Ctx->WriteSlow = &WriteSlowPath;
        Ctx->ProbeSlow = &ProbeSlowPath;
        Ctx->Owner = GCHandle.ToIntPtr(_self);
    }

    public RuntimeContext* Ctx { get; }
    public byte* State { get; }
    public byte* Ram { get; }
    public TlbEntry* ReadTlb { get; }
    public TlbEntry* WriteTlb { get; }

    public int ReadSlowCalls { get; private set; }
    public int WriteSlowCalls { get; private set; }
    public int ProbeSlowCalls { get; private set; }
    /// <summary>Every helper call made through <see cref="TestHelpers"/>: (name, a, b, c, d).</summary>
    public List<(string Name, ulong A, ulong B, ulong C, ulong D)> HelperCalls { get; } = new();

    private void Map(TlbEntry* tlb, uint address)
    {
        TlbEntry* e = tlb + ((address >> SoftTlbLayout.PageBits) & SoftTlbLayout.IndexMask);
        e->Tag = address;
        e->Addend = (nint)(Ram - RamBase);
    }

    public uint Get32(int offset) => *(uint*)(State + offset);
    public ulong Get64(int offset) => *(ulong*)(State + offset);
    public void Set32(int offset, uint value) => *(uint*)(State + offset) = value;
    public void Set64(int offset, ulong value) => *(ulong*)(State + offset) = value;
    public uint Pc => Get32(PcOffset);
    public ulong Retired => Get64(RetiredOffset);
    public int Status => Ctx->Status;

    public byte RamByte(uint address) => Ram[address - RamBase];
    public uint RamWord(uint address) => *(uint*)(Ram + (address - RamBase));
    public void SetRamWord(uint address, uint value) => *(uint*)(Ram + (address - RamBase)) = value;

    internal static BackendTestMachine Of(RuntimeContext* ctx) =>
        (BackendTestMachine)GCHandle.FromIntPtr(ctx->Owner).Target!;

    private static bool InRam(uint address, int size) =>
        address >= RamBase && (ulong)address + (ulong)size <= (ulong)RamBase + RamSize;

    internal void RecordFault(uint address)
    {
        *(uint*)(State + FaultAddressOffset) = address;
        Ctx->Status = RuntimeContext.StatusFault;
    }

    private static uint ReadSlowPath(RuntimeContext* ctx, uint address, int size)
    {
        BackendTestMachine m = Of(ctx);
        m.ReadSlowCalls++;
        if (!InRam(address, size))
        {
            m.RecordFault(address);
            return 0;
        }
        uint value = 0;
        for (int i = 0; i < size; i++) value |= (uint)m.Ram[address - RamBase + (uint)i] << (8 * i);
        return value;
    }

    private static void WriteSlowPath(RuntimeContext* ctx, uint address, int size, uint value)
    {
        BackendTestMachine m = Of(ctx);
        m.WriteSlowCalls++;
        if (!InRam(address, size))
        {
            m.RecordFault(address);
            return;
        }
        bool touchesCode = false;
        for (int i = 0; i < size; i++)
        {
            uint a = address + (uint)i;
            m.Ram[a - RamBase] = (byte)(value >> (8 * i));
            touchesCode |= (a & SoftTlbLayout.PageMask) == CodePage;
        }
        if (touchesCode) ctx->Status = RuntimeContext.StatusCodeModified;
    }

    private static nint ProbeSlowPath(RuntimeContext* ctx, uint address, uint length, int rights)
    {
        BackendTestMachine m = Of(ctx);
        m.ProbeSlowCalls++;
        if (!InRam(address, (int)length)) return 0;
        bool write = (rights & (int)ProbeRights.Write) != 0;
        if (write && address < CodePage + SoftTlbLayout.PageSize && address + length > CodePage) return 0;
        return (nint)(m.Ram + (address - RamBase));
    }

    /// <summary>Everything a block can change, for comparing two runs.</summary>
    public Snapshot Take(int exitCode) => new(exitCode, Ctx->Status,
        new ReadOnlySpan<byte>(State, StateSize).ToArray(), new ReadOnlySpan<byte>(Ram, (int)RamSize).ToArray(),
        ReadSlowCalls, WriteSlowCalls, ProbeSlowCalls, HelperCalls.ToArray());

    public void Dispose()
    {
        if (_self.IsAllocated) _self.Free();
        NativeMemory.Free(Ctx);
        NativeMemory.Free(State);
        NativeMemory.Free(Ram);
        NativeMemory.Free(ReadTlb);
        NativeMemory.Free(WriteTlb);
    }

    public sealed record Snapshot(int ExitCode, int Status, byte[] State, byte[] Ram, int ReadSlowCalls,
        int WriteSlowCalls, int ProbeSlowCalls, (string, ulong, ulong, ulong, ulong)[] HelperCalls);
}

/// <summary>
/// Builds blocks and runs them on the interpreter (the reference), the IL backend and the LLVM
/// backend, each on a fresh <see cref="BackendTestMachine"/>. The test machine only sets the
/// managed slow paths and the test helpers only have managed entry points, so the LLVM runs also
/// exercise that backend's native-to-managed thunks on every miss and call. Without libLLVM the
/// LLVM runs fail (scripts/setup.sh installs it).
/// </summary>
public static unsafe class BackendRunner
{
    public static readonly IrInterpreter Interpreter = new();
    public static readonly IlCompiler Il = new();
    private static readonly Lazy<LlvmCompiler> SharedLlvm = new(() => new LlvmCompiler(new LlvmCompilerOptions { Verify = true }));

    /// <summary>One LLVM compiler for all tests (it is thread-safe), as the VMM has one per machine.</summary>
    public static LlvmCompiler Llvm => SharedLlvm.Value;

    public static IrBuilder NewBuilder(HelperTable? helpers = null) =>
        new(helpers ?? TestHelpers.Table, BackendTestMachine.Layout);

    /// <summary>The smallest useful unit: R(0) += 1, then leave, at guest address <paramref name="at"/>
    /// (what the compilers' "describe yourself" tests compile).</summary>
    public static IrBlock IncrementR0Block(uint at)
    {
        IrBuilder ir = NewBuilder();
        ir.StoreState(BackendTestMachine.R(0), ir.Add(ir.LoadState(BackendTestMachine.R(0)), ir.Const(1)));
        ir.Exit(BlockExit.Jump, 1);
        return ir.Finish(at);
    }

    /// <summary>Runs <paramref name="block"/> once on a fresh machine per backend (prepared by
    /// <paramref name="setup"/>), checks that IL and LLVM leave the interpreter's exit code,
    /// status, state, RAM, slow-path and helper traffic, and returns the LLVM run's machine for
    /// further asserts (the caller disposes it).</summary>
    public static BackendTestMachine RunAll(IrBlock block, Action<BackendTestMachine>? setup, out int exitCode)
    {
        IrVerifier.Verify(block);
        BackendTestMachine.Snapshot reference;
        using (var m = new BackendTestMachine())
        {
            setup?.Invoke(m);
            int code = Interpreter.Compile(block).Execute(m.Ctx);
            reference = m.Take(code);
        }
        using (BackendTestMachine il = Run(Il, block, setup, out int ilExit))
            AssertSame(reference, il.Take(ilExit), block, "il");
        BackendTestMachine llvm = Run(Llvm, block, setup, out exitCode);
        try
        {
            AssertSame(reference, llvm.Take(exitCode), block, "llvm");
        }
        catch
        {
            llvm.Dispose();
            throw;
        }
        return llvm;
    }

    private static BackendTestMachine Run(IBlockCompiler compiler, IrBlock block, Action<BackendTestMachine>? setup, out int exitCode)
    {
        var m = new BackendTestMachine();
        setup?.Invoke(m);
        exitCode = compiler.Compile(block).Execute(m.Ctx);
        return m;
    }

    public static void AssertSame(BackendTestMachine.Snapshot reference, BackendTestMachine.Snapshot actual, IrBlock block, string backend)
    {
        string where = $"{block.Name} on {backend}";
        Assert.True(reference.ExitCode == actual.ExitCode, $"{where}: exit code interp {reference.ExitCode} {backend} {actual.ExitCode}\n{IrPrinter.Print(block)}");
        Assert.True(reference.Status == actual.Status, $"{where}: status interp {reference.Status} {backend} {actual.Status}");
        int diff = FirstDifference(reference.State, actual.State);
        Assert.True(diff < 0, $"{where}: state differs at offset {diff}: interp {(diff < 0 ? 0 : reference.State[diff]):x2} {backend} {(diff < 0 ? 0 : actual.State[diff]):x2}\n{IrPrinter.Print(block)}");
        diff = FirstDifference(reference.Ram, actual.Ram);
        Assert.True(diff < 0, $"{where}: RAM differs at {BackendTestMachine.RamBase + (uint)Math.Max(0, diff):x8}\n{IrPrinter.Print(block)}");
        Assert.Equal(reference.ReadSlowCalls, actual.ReadSlowCalls);
        Assert.Equal(reference.WriteSlowCalls, actual.WriteSlowCalls);
        Assert.Equal(reference.ProbeSlowCalls, actual.ProbeSlowCalls);
        Assert.Equal(reference.HelperCalls, actual.HelperCalls);
    }

    private static int FirstDifference(byte[] a, byte[] b)
    {
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return i;
        return -1;
    }
}

/// <summary>Helpers registered for the tests; every call is recorded on the machine.</summary>
public static unsafe class TestHelpers
{
    public static readonly HelperTable Table = new();
    /// <summary>Returns a + 2b + 4c + 8d (mod 2^64).</summary>
    public static readonly int Mix;
    /// <summary>Faults (Status = Fault, returns 0) when a == 0, else returns a * 3.</summary>
    public static readonly int FaultIfZero;
    /// <summary>Reads state R(0) through the context and returns it plus a; no fault.</summary>
    public static readonly int ReadsState;
    /// <summary>Leaves StatusCodeModified (as if it wrote translated code), returns 0.</summary>
    public static readonly int ModifiesCode;

    static TestHelpers()
    {
        Mix = Table.Register(new HelperDescriptor { Name = "mix", Managed = &MixImpl, Pure = true });
        FaultIfZero = Table.Register(new HelperDescriptor { Name = "fault_if_zero", Managed = &FaultIfZeroImpl, MayFault = true });
        ReadsState = Table.Register(new HelperDescriptor { Name = "reads_state", Managed = &ReadsStateImpl, TouchesState = true });
        ModifiesCode = Table.Register(new HelperDescriptor { Name = "modifies_code", Managed = &ModifiesCodeImpl });
    }

    private static ulong MixImpl(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d)
    {
        BackendTestMachine.Of(ctx).HelperCalls.Add(("mix", a, b, c, d));
        return a + 2 * b + 4 * c + 8 * d;
    }

    private static ulong FaultIfZeroImpl(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d)
    {
        BackendTestMachine m = BackendTestMachine.Of(ctx);
        m.HelperCalls.Add(("fault_if_zero", a, b, c, d));
        if (a != 0) return a * 3;
        m.RecordFault(0xDEAD);
        return 0;
    }

    private static ulong ReadsStateImpl(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d)
    {
        BackendTestMachine.Of(ctx).HelperCalls.Add(("reads_state", a, b, c, d));
        return *(uint*)(ctx->State + BackendTestMachine.R(0)) + a;
    }

    private static ulong ModifiesCodeImpl(RuntimeContext* ctx, ulong a, ulong b, ulong c, ulong d)
    {
        BackendTestMachine.Of(ctx).HelperCalls.Add(("modifies_code", a, b, c, d));
        ctx->Status = RuntimeContext.StatusCodeModified;
        return 0;
    }
}
