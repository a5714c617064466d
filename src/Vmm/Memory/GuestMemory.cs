using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Transmeta.Frontend.State;
using Transmeta.IR;

namespace Transmeta.Vmm.Memory;

/// <summary>
/// The guest's view of memory by linear address, and the slow paths of generated code. Owns the
/// <see cref="RuntimeContext"/> every compiled block receives. With paging off (this machine's
/// only mode so far) linear addresses are physical; a physical address outside RAM reads as all
/// ones and ignores writes, as unassigned addresses on a PC do. No guest address ever reaches
/// host memory outside the RAM block: the soft TLB only ever maps pages inside it.
/// </summary>
public sealed unsafe class GuestMemory : IDisposable
{
    private readonly GuestRam _ram;
    private readonly CodePageTracker _codePages;
    private GCHandle _self;

    public GuestMemory(GuestRam ram, CpuState* cpu)
    {
        _ram = ram;
        _codePages = new CodePageTracker(ram);
        Tlb = new SoftTlb();
        Context = (RuntimeContext*)NativeMemory.AllocZeroed((nuint)sizeof(RuntimeContext));
        _self = GCHandle.Alloc(this);
        Context->State = (byte*)cpu;
        Context->ReadTlb = Tlb.Read;
        Context->WriteTlb = Tlb.Write;
        Context->ReadSlow = &ReadSlowPath;
        Context->WriteSlow = &WriteSlowPath;
        Context->ReadSlowUnmanaged = (nint)(delegate* unmanaged<RuntimeContext*, uint, int, uint>)&ReadSlowNative;
        Context->WriteSlowUnmanaged = (nint)(delegate* unmanaged<RuntimeContext*, uint, int, uint, void>)&WriteSlowNative;
        Context->ProbeSlow = &ProbeSlowPath;
        Context->ProbeSlowUnmanaged = (nint)(delegate* unmanaged<RuntimeContext*, uint, uint, int, nint>)&ProbeSlowNative;
        Context->Owner = GCHandle.ToIntPtr(_self);
    }

    public RuntimeContext* Context { get; private set; }
    public SoftTlb Tlb { get; }
    public GuestRam Ram => _ram;
    public CodePageTracker CodePages => _codePages;

    /// <summary>Called with a physical page number when the guest writes to a page that holds
    /// translated code; the translation cache drops that page's blocks.</summary>
    public Action<uint>? CodePageWritten { get; set; }

    public long SlowReads { get; private set; }
    public long SlowWrites { get; private set; }
    /// <summary>Probes (grouped accesses) that missed the soft TLB, and those of them that
    /// could not be granted (the block then left, and the instruction ran unspecialized).</summary>
    public long SlowProbes { get; private set; }
    public long RefusedProbes { get; private set; }

    /// <summary>Linear → physical. Paging is not implemented yet, so this is the identity.</summary>
    public uint Translate(uint linear) => linear;

    // ------------------------------------------------------------ code pages

    /// <summary>Records that a translation read this physical page: writes to it now take the
    /// slow path so they can invalidate the translation.</summary>
    public void MarkCodePage(uint physPage)
    {
        if (physPage >= _codePages.PageCount) return;
        _codePages.MarkCode(physPage);
        Tlb.FlushWrite(physPage << SoftTlbLayout.PageBits);
    }

    // ------------------------------------------------------------ accesses from the VMM

    public uint Read(uint linear, int size)
    {
        uint value = 0;
        for (int i = 0; i < size; i++) value |= (uint)ReadByte(linear + (uint)i) << (8 * i);
        return value;
    }

    public void Write(uint linear, int size, uint value)
    {
        for (int i = 0; i < size; i++) WriteByte(linear + (uint)i, (byte)(value >> (8 * i)));
    }

    private byte ReadByte(uint linear)
    {
        uint phys = Translate(linear);
        return phys < _ram.Size ? _ram.Base[phys] : (byte)0xFF;
    }

    private void WriteByte(uint linear, byte value)
    {
        uint phys = Translate(linear);
        if (phys >= _ram.Size) return;
        _ram.Base[phys] = value;
        uint page = phys >> SoftTlbLayout.PageBits;
        if (_codePages.IsCode(page)) InvalidateCodePage(page);
    }

    private bool InvalidateCodePage(uint page)
    {
        _codePages.ClearCode(page);
        CodePageWritten?.Invoke(page);
        return true;
    }

    // ------------------------------------------------------------ slow paths of generated code

    private static GuestMemory Owner(RuntimeContext* ctx) => (GuestMemory)GCHandle.FromIntPtr(ctx->Owner).Target!;

    private static uint ReadSlowPath(RuntimeContext* ctx, uint linear, int size) => Owner(ctx).ReadSlow(linear, size);

    private static void WriteSlowPath(RuntimeContext* ctx, uint linear, int size, uint value) =>
        Owner(ctx).WriteSlow(linear, size, value);

    [UnmanagedCallersOnly]
    private static uint ReadSlowNative(RuntimeContext* ctx, uint linear, int size) => ReadSlowPath(ctx, linear, size);

    [UnmanagedCallersOnly]
    private static void WriteSlowNative(RuntimeContext* ctx, uint linear, int size, uint value) =>
        WriteSlowPath(ctx, linear, size, value);

    private uint ReadSlow(uint linear, int size)
    {
        SlowReads++;
        uint phys = Translate(linear);
        uint offset = linear & ~SoftTlbLayout.PageMask;
        if (offset + (uint)size <= SoftTlbLayout.PageSize && phys < _ram.Size)
        {
            // A plain RAM page: map it so the next access hits inline.
            uint page = linear & SoftTlbLayout.PageMask;
            Tlb.FillRead(page, _ram.Base + (phys & SoftTlbLayout.PageMask));
            byte* p = _ram.Base + phys;
            return size switch { 1 => *p, 2 => Unsafe.ReadUnaligned<ushort>(p), _ => Unsafe.ReadUnaligned<uint>(p) };
        }
        return Read(linear, size); // crosses a page, or outside RAM
    }

    private void WriteSlow(uint linear, int size, uint value)
    {
        SlowWrites++;
        uint phys = Translate(linear);
        uint offset = linear & ~SoftTlbLayout.PageMask;
        if (offset + (uint)size <= SoftTlbLayout.PageSize && phys < _ram.Size)
        {
            uint page = phys >> SoftTlbLayout.PageBits;
            byte* p = _ram.Base + phys;
            switch (size)
            {
                case 1: *p = (byte)value; break;
                case 2: Unsafe.WriteUnaligned(p, (ushort)value); break;
                default: Unsafe.WriteUnaligned(p, value); break;
            }
            if (_codePages.IsCode(page))
            {
                // Self-modifying code: drop the page's translations and make the running block stop
                // after this instruction, so the next one is fetched anew.
                InvalidateCodePage(page);
                Context->Status = RuntimeContext.StatusCodeModified;
            }
            else
            {
                Tlb.FillWrite(linear & SoftTlbLayout.PageMask, _ram.Base + (phys & SoftTlbLayout.PageMask));
            }
            return;
        }
        bool touchedCode = false;
        for (int i = 0; i < size; i++)
        {
            uint p = Translate(linear + (uint)i);
            if (p < _ram.Size && _codePages.IsCode(p >> SoftTlbLayout.PageBits)) touchedCode = true;
        }
        Write(linear, size, value);
        if (touchedCode) Context->Status = RuntimeContext.StatusCodeModified;
    }

    private static nint ProbeSlowPath(RuntimeContext* ctx, uint linear, uint length, int rights) =>
        Owner(ctx).ProbeSlow(linear, length, rights);

    [UnmanagedCallersOnly]
    private static nint ProbeSlowNative(RuntimeContext* ctx, uint linear, uint length, int rights) =>
        ProbeSlowPath(ctx, linear, length, rights);

    /// <summary>Grants a probe when every page of the range is RAM, contiguous in host memory
    /// (always, with paging off), and for a write holds no translated code; fills the soft TLB
    /// for each page so the next probe and the plain accesses to it hit inline. A refused probe
    /// changes nothing: the block leaves and the instruction runs with ordinary accesses.</summary>
    private nint ProbeSlow(uint linear, uint length, int rights)
    {
        SlowProbes++;
        if (length == 0 || length > SoftTlbLayout.PageSize || linear + (ulong)length > 1UL << 32)
        {
            RefusedProbes++;
            return 0;
        }
        uint first = linear & SoftTlbLayout.PageMask, last = (linear + length - 1) & SoftTlbLayout.PageMask;
        uint physFirst = Translate(first);
        for (uint page = first; ; page += SoftTlbLayout.PageSize)
        {
            uint phys = Translate(page);
            if (phys >= _ram.Size || phys - physFirst != page - first
                || ((rights & (int)ProbeRights.Write) != 0 && _codePages.IsCode(phys >> SoftTlbLayout.PageBits)))
            {
                RefusedProbes++;
                return 0;
            }
            if (page == last) break;
        }
        for (uint page = first; ; page += SoftTlbLayout.PageSize)
        {
            byte* host = _ram.Base + Translate(page);
            if ((rights & (int)ProbeRights.Read) != 0) Tlb.FillRead(page, host);
            if ((rights & (int)ProbeRights.Write) != 0) Tlb.FillWrite(page, host);
            if (page == last) break;
        }
        return (nint)(_ram.Base + Translate(linear));
    }

    public void Dispose()
    {
        if (Context == null) return;
        NativeMemory.Free(Context);
        Context = null;
        Tlb.Dispose();
        if (_self.IsAllocated) _self.Free();
    }
}
