using Transmeta.Frontend;
using Transmeta.Frontend.Flags;
using Transmeta.Frontend.State;
using Transmeta.Vmm.Io;
using Transmeta.Vmm.Memory;

namespace Transmeta.Vmm.Execution;

/// <summary>What the dispatcher does after a hypercall.</summary>
public enum HypercallOutcome
{
    Continue,
    /// <summary>Segment state changed: the decode mode must be recomputed.</summary>
    ModeChanged,
    /// <summary>The instruction faulted; deliver CpuState's fault.</summary>
    Fault,
    /// <summary>HLT with nothing that could wake the CPU.</summary>
    Halted,
}

/// <summary>
/// Performs the sensitive instructions the frontend turned into hypercall exits (see
/// <see cref="SensitiveInstructions"/>): port I/O, HLT, CLI/STI, CPUID, RDTSC. On return the
/// instruction has retired and EIP points after it, unless the run must stop.
/// </summary>
public sealed unsafe class HypercallHandler
{
    private readonly CpuState* _cpu;
    private readonly GuestMemory _memory;
    private readonly IoPortBus _io;
    private readonly ExecutionStats _stats;

    public HypercallHandler(CpuState* cpu, GuestMemory memory, IoPortBus io, ExecutionStats stats)
    {
        _cpu = cpu;
        _memory = memory;
        _io = io;
        _stats = stats;
    }

    /// <summary>Whether anything could ever raise an interrupt to wake a halted CPU. No interrupt
    /// controller exists yet, so HLT always ends the run.</summary>
    public Func<bool> CanWake { get; set; } = () => false;

    /// <summary>Performs the pending hypercall. On <see cref="HypercallOutcome.Fault"/> the fault
    /// is in CpuState (FaultVector...) and EIP still points at the instruction.</summary>
    public HypercallOutcome Handle()
    {
        var kind = (HypercallKind)_cpu->HcKind;
        _stats.CountHypercall(kind);
        switch (kind)
        {
            case HypercallKind.In:
                SetAccumulator((int)_cpu->HcArg1, _io.In((ushort)_cpu->HcArg0, (int)_cpu->HcArg1));
                break;
            case HypercallKind.Out:
                _io.Out((ushort)_cpu->HcArg0, (int)_cpu->HcArg1, _cpu->HcArg2);
                break;
            case HypercallKind.InsOuts:
                StringIo();
                break;
            case HypercallKind.Hlt:
                if (!CanWake()) { Retire(); return HypercallOutcome.Halted; }
                break;
            case HypercallKind.LoadSegment:
            {
                var fault = SegmentLoader.Load(_cpu, _memory, (int)_cpu->HcArg0, (ushort)_cpu->HcArg1);
                if (fault is { } f)
                {
                    _cpu->FaultVector = (uint)f.Vector;
                    _cpu->FaultErrorCode = f.Error;
                    _cpu->FaultHasError = 1;
                    return HypercallOutcome.Fault;
                }
                _cpu->Esp += _cpu->HcArg2; // POP Sreg releases its slot only after a good load
                Retire();
                return HypercallOutcome.ModeChanged;
            }
            case HypercallKind.Cli:
                _cpu->Eflags &= ~EflagsBits.IF;
                break;
            case HypercallKind.Sti:
                _cpu->Eflags |= EflagsBits.IF;
                break;
            case HypercallKind.Cpuid:
                CpuidModel.Execute(_cpu);
                break;
            case HypercallKind.Rdtsc:
                // The time-stamp counter is the retired-instruction count: deterministic, so a guest
                // behaves the same under every backend.
                _cpu->Eax = (uint)_cpu->Retired;
                _cpu->Edx = (uint)(_cpu->Retired >> 32);
                break;
            default:
                throw new InvalidOperationException($"unknown hypercall {kind} at 0x{_cpu->Eip:x8}");
        }
        Retire();
        return HypercallOutcome.Continue;
    }

    private void Retire()
    {
        _cpu->Eip = _cpu->HcNextEip;
        _cpu->Retired++;
    }

    private void SetAccumulator(int size, uint value)
    {
        uint mask = size == 4 ? 0xFFFF_FFFFu : (1u << (size * 8)) - 1;
        _cpu->Eax = (_cpu->Eax & ~mask) | (value & mask);
    }

    /// <summary>INS/OUTS, with REP repeated ECX (CX) times; ES:EDI for INS, DS:ESI for OUTS;
    /// the index registers step by the element size in the direction DF gives.</summary>
    private void StringIo()
    {
        ushort port = (ushort)_cpu->HcArg0;
        int size = (int)_cpu->HcArg1;
        uint flags = _cpu->HcArg2;
        bool rep = (flags & 1) != 0, addr16 = (flags & 2) != 0, isOut = (flags & 4) != 0;
        uint addrMask = addr16 ? 0xFFFFu : 0xFFFF_FFFFu;
        int step = (_cpu->Eflags & EflagsBits.DF) != 0 ? -size : size;
        uint count = rep ? _cpu->Ecx & addrMask : 1;
        for (uint i = 0; i < count; i++)
        {
            if (isOut)
            {
                uint esi = _cpu->Esi & addrMask;
                _io.Out(port, size, _memory.Read(_cpu->Segment(SegReg.DS).Base + esi, size));
                _cpu->Esi = (_cpu->Esi & ~addrMask) | ((esi + (uint)step) & addrMask);
            }
            else
            {
                uint edi = _cpu->Edi & addrMask;
                _memory.Write(_cpu->Segment(SegReg.ES).Base + edi, size, _io.In(port, size));
                _cpu->Edi = (_cpu->Edi & ~addrMask) | ((edi + (uint)step) & addrMask);
            }
        }
        if (rep) _cpu->Ecx &= ~addrMask;
    }
}
