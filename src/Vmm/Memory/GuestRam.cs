using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Transmeta.Vmm.Memory;

/// <summary>
/// Guest physical RAM: one contiguous block of native memory that backs guest physical addresses
/// [0, <see cref="Size"/>).
/// </summary>
/// <remarks>
/// <para>
/// Why native memory: the soft TLB maps a guest page to a host pointer (<c>Base + phys</c>) that
/// generated code (IL and LLVM) dereferences directly, so the block must never move — a managed
/// array could be relocated by the GC. It is 4096-aligned so that a guest page (4 KiB on IA-32,
/// Intel SDM Vol. 3A §4.3) is also a host page: page-granular host tricks (protection, huge-page
/// hints) then line up with guest pages.
/// </para>
/// <para>
/// Every accessor here is bounds-checked with arithmetic that cannot overflow 32 bits, so a bad
/// guest or image address never reaches host memory outside the block. Translated code does its own
/// (cheaper) checks through the TLB and must not call the throwing accessors (no managed exceptions
/// across generated code); it may use the <c>Try*</c> forms, which return <c>false</c>.
/// </para>
/// <para>
/// Byte order is little-endian, as on IA-32. Accessors are not thread-safe: guest memory is owned
/// by the thread running the guest.
/// </para>
/// </remarks>
public sealed unsafe class GuestRam : IDisposable
{
    /// <summary>Size of a guest page and the alignment of <see cref="Base"/>.</summary>
    public const uint PageSize = 4096;

    /// <summary>Default amount of guest RAM, in MiB.</summary>
    public const int DefaultSizeMiB = 128;

    /// <summary>
    /// Largest supported RAM: just under 4 GiB, because <see cref="Size"/> is a 32-bit byte count
    /// and a 32-bit guest without PAE cannot address more anyway.
    /// </summary>
    public const int MaxSizeMiB = 4095;

    private byte* _base;

    /// <summary>Allocates <paramref name="sizeMiB"/> MiB of zeroed guest RAM.</summary>
    /// <exception cref="ArgumentOutOfRangeException">size not in 1..<see cref="MaxSizeMiB"/>.</exception>
    public GuestRam(int sizeMiB = DefaultSizeMiB)
    {
        if (sizeMiB < 1 || sizeMiB > MaxSizeMiB)
            throw new ArgumentOutOfRangeException(nameof(sizeMiB), sizeMiB,
                $"guest RAM must be between 1 and {MaxSizeMiB} MiB");

        Size = (uint)sizeMiB * 1024u * 1024u;
        // Real RAM powers up with undefined contents, but a zeroed block makes runs reproducible
        // (design.md, "Determinism") and spares loaders from zeroing bss twice. On Linux an
        // anonymous mapping is zero already and the kernel supplies its pages when first touched:
        // clearing 128 MiB up front cost 32,768 page faults (50-100 ms of a short run) for pages
        // most guests never use.
        if (OperatingSystem.IsLinux())
        {
            void* p = Mmap(null, Size, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (p != (void*)-1)
            {
                _base = (byte*)p;
                _mapped = true;
                return;
            }
        }
        _base = (byte*)NativeMemory.AlignedAlloc(Size, PageSize);
        if (_base == null)
            throw new OutOfMemoryException($"could not allocate {sizeMiB} MiB of guest RAM");
        NativeMemory.Clear(_base, Size);
    }

    private readonly bool _mapped;
    private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 2, MapAnonymous = 0x20;

    [DllImport("libc", EntryPoint = "mmap", SetLastError = false)]
    private static extern void* Mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = false)]
    private static extern int Munmap(void* addr, nuint length);

    /// <summary>Size of guest RAM in bytes (a multiple of 1 MiB).</summary>
    public uint Size { get; }

    /// <summary>Size of guest RAM in MiB.</summary>
    public int SizeMiB => (int)(Size / (1024 * 1024));

    /// <summary>
    /// Host address of guest physical address 0. Valid until <see cref="Dispose"/>; whoever caches
    /// it (TLB, generated code) must not outlive this object.
    /// </summary>
    public byte* Base
    {
        get
        {
            ThrowIfDisposed();
            return _base;
        }
    }

    public bool IsDisposed => _base == null;

    /// <summary>
    /// True when the whole range [phys, phys + len) lies inside RAM. A zero-length range is inside
    /// when phys ≤ Size. Written so that phys + len cannot wrap around 2^32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(uint phys, uint len) => phys <= Size && len <= Size - phys;

    // ---------------------------------------------------------------- bulk access

    /// <summary>Copies guest memory at <paramref name="phys"/> into <paramref name="destination"/>.</summary>
    /// <exception cref="GuestMemoryException">any part of the range is outside RAM (nothing is copied).</exception>
    public void ReadBytes(uint phys, Span<byte> destination)
    {
        if (!TryReadBytes(phys, destination))
            throw GuestMemoryException.OutOfRange(phys, (ulong)destination.Length, Size);
    }

    /// <summary>Copies <paramref name="source"/> into guest memory at <paramref name="phys"/>.</summary>
    /// <exception cref="GuestMemoryException">any part of the range is outside RAM (nothing is written).</exception>
    public void WriteBytes(uint phys, ReadOnlySpan<byte> source)
    {
        if (!TryWriteBytes(phys, source))
            throw GuestMemoryException.OutOfRange(phys, (ulong)source.Length, Size);
    }

    public bool TryReadBytes(uint phys, Span<byte> destination)
    {
        ThrowIfDisposed();
        if (!Contains(phys, (uint)destination.Length))
            return false;
        new ReadOnlySpan<byte>(_base + phys, destination.Length).CopyTo(destination);
        return true;
    }

    public bool TryWriteBytes(uint phys, ReadOnlySpan<byte> source)
    {
        ThrowIfDisposed();
        if (!Contains(phys, (uint)source.Length))
            return false;
        source.CopyTo(new Span<byte>(_base + phys, source.Length));
        return true;
    }

    /// <summary>Sets [phys, phys + length) to <paramref name="value"/> (e.g. zeroing a bss).</summary>
    /// <exception cref="GuestMemoryException">any part of the range is outside RAM (nothing is written).</exception>
    public void Fill(uint phys, uint length, byte value = 0)
    {
        ThrowIfDisposed();
        if (!Contains(phys, length))
            throw GuestMemoryException.OutOfRange(phys, length, Size);
        NativeMemory.Fill(_base + phys, length, value);
    }

    /// <summary>
    /// A span over guest memory [phys, phys + length), for device models doing DMA-like copies.
    /// The span aliases guest RAM (no copy); do not keep it across a <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="GuestMemoryException">any part of the range is outside RAM.</exception>
    public Span<byte> GetSpan(uint phys, int length)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!Contains(phys, (uint)length))
            throw GuestMemoryException.OutOfRange(phys, (ulong)length, Size);
        return new Span<byte>(_base + phys, length);
    }

    // ---------------------------------------------------------------- scalar access

    public byte Read8(uint phys) =>
        TryRead8(phys, out byte v) ? v : throw GuestMemoryException.OutOfRange(phys, 1, Size);

    public ushort Read16(uint phys) =>
        TryRead16(phys, out ushort v) ? v : throw GuestMemoryException.OutOfRange(phys, 2, Size);

    public uint Read32(uint phys) =>
        TryRead32(phys, out uint v) ? v : throw GuestMemoryException.OutOfRange(phys, 4, Size);

    public void Write8(uint phys, byte value)
    {
        if (!TryWrite8(phys, value))
            throw GuestMemoryException.OutOfRange(phys, 1, Size);
    }

    public void Write16(uint phys, ushort value)
    {
        if (!TryWrite16(phys, value))
            throw GuestMemoryException.OutOfRange(phys, 2, Size);
    }

    public void Write32(uint phys, uint value)
    {
        if (!TryWrite32(phys, value))
            throw GuestMemoryException.OutOfRange(phys, 4, Size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead8(uint phys, out byte value)
    {
        ThrowIfDisposed();
        if (phys >= Size) { value = 0xFF; return false; }
        value = _base[phys];
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead16(uint phys, out ushort value)
    {
        ThrowIfDisposed();
        if (!Contains(phys, 2)) { value = 0xFFFF; return false; }
        value = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(_base + phys, 2));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead32(uint phys, out uint value)
    {
        ThrowIfDisposed();
        if (!Contains(phys, 4)) { value = 0xFFFF_FFFF; return false; }
        value = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(_base + phys, 4));
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWrite8(uint phys, byte value)
    {
        ThrowIfDisposed();
        if (phys >= Size) return false;
        _base[phys] = value;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWrite16(uint phys, ushort value)
    {
        ThrowIfDisposed();
        if (!Contains(phys, 2)) return false;
        BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(_base + phys, 2), value);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWrite32(uint phys, uint value)
    {
        ThrowIfDisposed();
        if (!Contains(phys, 4)) return false;
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(_base + phys, 4), value);
        return true;
    }

    // ---------------------------------------------------------------- lifetime

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_base == null)
            ThrowDisposed();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(GuestRam));

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    // The block can be hundreds of MiB: if an owner forgets Dispose, the finalizer still returns it.
    ~GuestRam() => Free();

    private void Free()
    {
        byte* p = _base;
        _base = null;
        if (p == null) return;
        if (_mapped) Munmap(p, Size);
        else NativeMemory.AlignedFree(p);
    }
}
