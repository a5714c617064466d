using System.Runtime.InteropServices;
using Transmeta.IR;

namespace Transmeta.Vmm.Memory;

/// <summary>
/// The soft TLB (the "shadow page table" generated code consults): two direct-mapped arrays in
/// native memory, one for reads and one for writes, each entry mapping a guest linear page to the
/// host address of its bytes. Generated code inlines the hit test (see <see cref="SoftTlbLayout"/>);
/// a miss calls <see cref="GuestMemory"/>'s slow path, which fills an entry when the page is
/// plain RAM. Pages holding translated code never get a write entry, so writes to them are seen.
/// </summary>
public sealed unsafe class SoftTlb : IDisposable
{
    public SoftTlb()
    {
        nuint bytes = (nuint)(SoftTlbLayout.Entries * sizeof(TlbEntry));
        Read = (TlbEntry*)NativeMemory.AlignedAlloc(bytes, 64);
        Write = (TlbEntry*)NativeMemory.AlignedAlloc(bytes, 64);
        FlushAll();
    }

    public TlbEntry* Read { get; private set; }
    public TlbEntry* Write { get; private set; }

    public static uint IndexOf(uint linear) => (linear >> SoftTlbLayout.PageBits) & SoftTlbLayout.IndexMask;

    public void FlushAll()
    {
        for (int i = 0; i < SoftTlbLayout.Entries; i++)
        {
            Read[i].Tag = SoftTlbLayout.InvalidTag;
            Write[i].Tag = SoftTlbLayout.InvalidTag;
        }
    }

    /// <summary>Drops the write entry of every linear page mapping to <paramref name="physPage"/>'s
    /// host address (with paging off, linear = physical).</summary>
    public void FlushWrite(uint linearPage)
    {
        TlbEntry* e = Write + IndexOf(linearPage);
        if (e->Tag == linearPage) e->Tag = SoftTlbLayout.InvalidTag;
    }

    public void FillRead(uint linearPage, byte* hostPage) => Fill(Read, linearPage, hostPage);
    public void FillWrite(uint linearPage, byte* hostPage) => Fill(Write, linearPage, hostPage);

    private static void Fill(TlbEntry* table, uint linearPage, byte* hostPage)
    {
        TlbEntry* e = table + IndexOf(linearPage);
        e->Tag = linearPage;
        e->Addend = (nint)hostPage - (nint)linearPage;
    }

    public void Dispose()
    {
        if (Read == null) return;
        NativeMemory.AlignedFree(Read);
        NativeMemory.AlignedFree(Write);
        Read = null;
        Write = null;
    }
}
