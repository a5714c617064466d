using System.Runtime.InteropServices;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.State;
using Transmeta.IR;
using Transmeta.Vmm.Devices;
using Transmeta.Vmm.Execution;
using Transmeta.Vmm.Io;
using Transmeta.Vmm.Loaders;
using Transmeta.Vmm.Memory;

namespace Transmeta.Vmm;

/// <summary>How to build a machine.</summary>
public sealed record MachineOptions
{
    public int MemoryMiB { get; init; } = GuestRam.DefaultSizeMiB;
    /// <summary>Where the guest's serial and debug-console output goes.</summary>
    public Stream Output { get; init; } = Stream.Null;
    /// <summary>Serial input (the host's stdin for an interactive run), or null for none.</summary>
    public Stream? Input { get; init; }
    public required IBlockCompiler Backend { get; init; }
    /// <summary>Tiered execution (Backend is then its first tier), or null.</summary>
    public TieredCompilation? Tiering { get; init; }
}

/// <summary>
/// A PC with one 32-bit CPU: guest RAM, the I/O port bus with COM1, the debug console and the
/// exit port, the soft-TLB memory system and the execution engine. Load an image, then run.
/// </summary>
public sealed unsafe class Machine : IDisposable
{
    private readonly OutputSink _output;

    public Machine(MachineOptions options)
    {
        Options = options;
        Ram = new GuestRam(options.MemoryMiB);
        Cpu = (CpuState*)NativeMemory.AlignedAlloc((nuint)CpuState.Size, 64);
        NativeMemory.Clear(Cpu, (nuint)CpuState.Size);
        Memory = new GuestMemory(Ram, Cpu);
        Io = new IoPortBus();
        _output = OutputSink.For(options.Output);
        Uart = new Uart16550(_output, options.Input);
        Uart.AttachTo(Io);
        DebugConsole = new DebugConsole(_output);
        DebugConsole.AttachTo(Io);
        ExitPort = new DebugExitPort();
        ExitPort.AttachTo(Io);
        Stats = new ExecutionStats();
        Hypercalls = new HypercallHandler(Cpu, Memory, Io, Stats);
        Engine = new ExecutionEngine(Cpu, Memory, options.Backend, Hypercalls, ExitPort, Stats, options.Tiering);
    }

    public MachineOptions Options { get; }
    public CpuState* Cpu { get; private set; }
    public ref CpuState State => ref *Cpu;
    public GuestRam Ram { get; }
    public GuestMemory Memory { get; }
    public IoPortBus Io { get; }
    public Uart16550 Uart { get; }
    public DebugConsole DebugConsole { get; }
    public DebugExitPort ExitPort { get; }
    public ExecutionStats Stats { get; }
    public HypercallHandler Hypercalls { get; }
    public ExecutionEngine Engine { get; }
    public LoadedImage? Image { get; private set; }

    /// <summary>Where the boot GDT lives (in the reserved BIOS area, as QEMU's sits in its option ROM).</summary>
    public const uint GdtAddress = 0xF0000;

    /// <summary>Loads a Multiboot kernel and puts the CPU in the state the Multiboot spec (§3.2)
    /// promises: protected mode, flat 4 GiB code and data segments, paging and interrupts off,
    /// EAX = 0x2BADB002, EBX = the physical address of the information structure.</summary>
    public LoadedImage LoadMultiboot(ReadOnlySpan<byte> image, string? commandLine = null)
    {
        LoadedImage loaded = MultibootLoader.Load(Ram, image, commandLine);
        Image = loaded;
        ResetCpuForMultiboot(loaded.Entry, loaded.MultibootInfoAddress);
        return loaded;
    }

    private void ResetCpuForMultiboot(uint entry, uint info)
    {
        NativeMemory.Clear(Cpu, (nuint)CpuState.Size);
        Cpu->Eax = LoadedImage.BootMagic;
        Cpu->Ebx = info;
        Cpu->Eip = entry;
        Cpu->SetEflags(EflagsBits.Reserved1);
        Cpu->Cr0 = 0x11; // PE, and ET (a math coprocessor interface, as every i686 reports)
        // The GDT QEMU's Multiboot loader leaves (checked with sgdt and the selector registers
        // under qemu-system-i386 7.2): null, 0x08 flat 32-bit code, 0x10 flat 32-bit data,
        // 0x18/0x20 16-bit code/data, so a guest reloading its segments works the same here.
        // It sits in the BIOS area the memory map reports as reserved.
        ReadOnlySpan<ulong> gdt = [0, 0x00CF_9A00_0000_FFFF, 0x00CF_9200_0000_FFFF, 0x0000_9E00_0000_FFFF, 0x0000_9200_0000_FFFF];
        for (int i = 0; i < gdt.Length; i++)
        {
            Ram.Write32(GdtAddress + (uint)i * 8, (uint)gdt[i]);
            Ram.Write32(GdtAddress + (uint)i * 8 + 4, (uint)(gdt[i] >> 32));
        }
        Cpu->GdtrBase = GdtAddress;
        Cpu->GdtrLimit = (uint)gdt.Length * 8 - 1;
        for (int seg = 0; seg < 6; seg++)
        {
            ref SegmentCache s = ref Cpu->Segment(seg);
            s.Base = 0;
            s.Limit = 0xFFFF_FFFF;
            s.Selector = (ushort)(seg == SegReg.CS ? 0x08 : 0x10);
            s.Attributes = seg == SegReg.CS ? 0xC09Bu : 0xC093u; // present, DPL 0, 32-bit, 4 KiB granular
        }
    }

    /// <summary>Runs until the guest exits, halts for good, crashes or uses up the budget.</summary>
    public RunResult Run(ulong maxInstructions = 0)
    {
        try
        {
            return Engine.Run(maxInstructions);
        }
        finally
        {
            _output.Flush();
        }
    }

    public void Dispose()
    {
        Options.Tiering?.Dispose();
        _output.Flush();
        Memory.Dispose();
        Ram.Dispose();
        if (Cpu != null)
        {
            NativeMemory.AlignedFree(Cpu);
            Cpu = null;
        }
    }
}
