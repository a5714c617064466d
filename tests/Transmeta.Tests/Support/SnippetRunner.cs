using System.Runtime.InteropServices;
using Iced.Intel;
using Transmeta.Frontend.Decoding;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Support;

/// <summary>
/// Runs a short piece of 32-bit code (assembled with Iced) on one backend with no VMM around it:
/// 1 MiB of flat RAM, every page in the soft TLB, code at <see cref="CodeBase"/>, stack below
/// <see cref="StackTop"/>. The run stops at the HLT appended after the code, at a fault, or after
/// <c>maxBlocks</c>. For instruction-level tests of the frontend and the backends.
/// </summary>
public sealed unsafe class SnippetRunner : IDisposable
{
    public const uint RamSize = 1 << 20;
    public const uint CodeBase = 0x1000;
    public const uint DataBase = 0x20000;
    public const uint StackTop = 0x80000;

    private readonly IBlockCompiler _backend;
    private readonly bool _optimize;
    /// <summary>Compiled blocks by address; bit 32 set for the unspecialized translations run
    /// after a BlockExit.Slow.</summary>
    private readonly Dictionary<ulong, CompiledBlock> _cache = new();

    /// <summary>Blocks that left with BlockExit.Slow (an assumed x87 TOP or control word did not hold).</summary>
    public int SlowExits { get; private set; }
    private readonly byte* _ram;
    private readonly RuntimeContext* _ctx;

    public SnippetRunner(IBlockCompiler backend, bool optimize = true)
    {
        _backend = backend;
        _optimize = optimize;
        _ram = (byte*)NativeMemory.AllocZeroed(RamSize);
        Cpu = (CpuState*)NativeMemory.AllocZeroed((nuint)CpuState.Size);
        _ctx = (RuntimeContext*)NativeMemory.AllocZeroed((nuint)sizeof(RuntimeContext));
        _ctx->State = (byte*)Cpu;
        _ctx->ReadTlb = (TlbEntry*)NativeMemory.AllocZeroed(SoftTlbLayout.Entries * (nuint)sizeof(TlbEntry));
        _ctx->WriteTlb = (TlbEntry*)NativeMemory.AllocZeroed(SoftTlbLayout.Entries * (nuint)sizeof(TlbEntry));
        for (uint i = 0; i < SoftTlbLayout.Entries; i++)
        {
            uint page = i << SoftTlbLayout.PageBits;
            bool inRam = page < RamSize;
            _ctx->ReadTlb[i].Tag = _ctx->WriteTlb[i].Tag = inRam ? page : SoftTlbLayout.InvalidTag;
            _ctx->ReadTlb[i].Addend = _ctx->WriteTlb[i].Addend = (nint)_ram;
        }
        _ctx->ReadSlow = &ReadSlow;
        _ctx->WriteSlow = &WriteSlow;
        Reset();
    }

    public CpuState* Cpu { get; }
    /// <summary>The mode blocks are translated in (CPL, stack size...); flat 32-bit CPL 0 by default.</summary>
    public DecodeMode Mode { get; set; } = DecodeMode.Flat32;
    public ref CpuState State => ref *Cpu;
    public int BlocksRun { get; private set; }
    /// <summary>Vector of the fault that stopped the run, or -1.</summary>
    public int FaultVector { get; private set; } = -1;

    public void Reset()
    {
        NativeMemory.Clear(Cpu, (nuint)CpuState.Size);
        Cpu->SetEflags(0x2);
        Cpu->Esp = StackTop;
        Cpu->Deadline = ulong.MaxValue;
        FaultVector = -1;
    }

    public Span<byte> Ram => new(_ram, (int)RamSize);

    public uint Read32(uint addr) => *(uint*)(_ram + addr);
    public void Write32(uint addr, uint v) => *(uint*)(_ram + addr) = v;

    /// <summary>Assembles with Iced at <see cref="CodeBase"/>, appends HLT, and runs.</summary>
    public void Run(Action<Assembler> program, int maxBlocks = 100_000)
    {
        var asm = new Assembler(32);
        program(asm);
        asm.hlt();
        var stream = new MemoryStream();
        asm.Assemble(new StreamCodeWriter(stream), CodeBase);
        RunBytes(stream.ToArray(), maxBlocks);
    }

    public void RunBytes(byte[] code, int maxBlocks = 100_000)
    {
        code.CopyTo(Ram[(int)CodeBase..]);
        _cache.Clear();
        Cpu->Eip = CodeBase;
        Continue(maxBlocks);
    }

    /// <summary>Blocks that left early with <see cref="BlockExit.Interrupted"/> (deadline reached).</summary>
    public int Interruptions { get; private set; }

    /// <summary>Runs on from the current EIP (after a run stopped by <c>maxBlocks</c>).</summary>
    public void Continue(int maxBlocks = 100_000)
    {
        var translator = new X86Translator();
        var reader = new RamReader(_ram);
        bool unspecialized = false;
        for (BlocksRun = 0; BlocksRun < maxBlocks; BlocksRun++)
        {
            uint eip = Cpu->Eip;
            ulong key = eip | (unspecialized ? 1UL << 32 : 0);
            if (!_cache.TryGetValue(key, out CompiledBlock? block))
            {
                // As the execution engine: the x87 TOP the CPU has now is assumed (and checked).
                DecodeMode mode = Mode with { Unspecialized = unspecialized };
                int x87Top = unspecialized ? -1 : X87StackTracking.EntryTopOf((byte*)Cpu);
                IrBlock ir = translator.Translate(reader, eip, mode, x87Top, out _);
                if (_optimize) Transmeta.IR.Passes.PassPipeline.Optimize(ir);
                IrVerifier.Verify(ir);
                block = _backend.Compile(ir);
                _cache[key] = block;
            }
            int exit = block.Execute(_ctx);
            unspecialized = exit == BlockExit.Slow;
            switch (exit)
            {
                case BlockExit.Slow:
                    SlowExits++;
                    continue;
                case BlockExit.Jump or BlockExit.CodeModified or BlockExit.Interrupted:
                    if (exit == BlockExit.CodeModified) _cache.Clear();
                    if (exit == BlockExit.Interrupted) Interruptions++;
                    continue;
                case BlockExit.Fault:
                    FaultVector = (int)Cpu->FaultVector;
                    return;
                case BlockExit.Hypercall when Cpu->HcKind == (uint)Transmeta.Frontend.HypercallKind.Hlt:
                    return;
                default:
                    throw new InvalidOperationException($"snippet exit {exit} (hypercall {Cpu->HcKind}) at {Cpu->Eip:x8}");
            }
        }
        throw new TimeoutException("snippet ran too long");
    }

    // Every page of RAM is in the TLB, so a slow path is a misaligned access (done here) or an
    // access outside RAM: a page fault.
    private static uint ReadSlow(RuntimeContext* ctx, uint address, int size)
    {
        if ((ulong)address + (uint)size <= RamSize)
        {
            // A misaligned access inside RAM (the inline hit path takes aligned ones only).
            byte* ram = (byte*)ctx->ReadTlb[0].Addend;
            uint v = 0;
            for (int i = size - 1; i >= 0; i--) v = v << 8 | ram[address + i];
            return v;
        }
        ((CpuState*)ctx->State)->FaultVector = ExceptionVectors.PageFault;
        ctx->Status = RuntimeContext.StatusFault;
        return 0;
    }

    private static void WriteSlow(RuntimeContext* ctx, uint address, int size, uint value)
    {
        if ((ulong)address + (uint)size <= RamSize)
        {
            byte* ram = (byte*)ctx->WriteTlb[0].Addend;
            for (int i = 0; i < size; i++) ram[address + i] = (byte)(value >> (8 * i));
            return;
        }
        ((CpuState*)ctx->State)->FaultVector = ExceptionVectors.PageFault;
        ctx->Status = RuntimeContext.StatusFault;
    }

    private sealed class RamReader(byte* ram) : IGuestCodeReader
    {
        public int Read(uint linear, Span<byte> buffer)
        {
            if (linear >= RamSize) return 0;
            int n = (int)Math.Min((uint)buffer.Length, RamSize - linear);
            new Span<byte>(ram + linear, n).CopyTo(buffer);
            return n;
        }
    }

    public void Dispose()
    {
        NativeMemory.Free(_ctx->ReadTlb);
        NativeMemory.Free(_ctx->WriteTlb);
        NativeMemory.Free(_ctx);
        NativeMemory.Free(Cpu);
        NativeMemory.Free(_ram);
    }
}
