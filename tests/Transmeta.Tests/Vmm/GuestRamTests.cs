using Transmeta.Vmm.Memory;
using Xunit;

namespace Transmeta.Tests.Vmm;

public sealed unsafe class GuestRamTests
{
    private const uint OneMiB = 0x100000;

    [Fact]
    public void Allocates_Zeroed_PageAligned_Block_Of_The_Requested_Size()
    {
        using var ram = new GuestRam(1);
        Assert.Equal(OneMiB, ram.Size);
        Assert.Equal(1, ram.SizeMiB);
        Assert.Equal(0UL, (ulong)ram.Base % 4096);
        Assert.Equal(0u, ram.Read32(0));
        Assert.Equal(0u, ram.Read32(OneMiB - 4));
    }

    [Fact]
    public void Default_Size_Is_128_MiB()
    {
        using var ram = new GuestRam();
        Assert.Equal(128u * 1024 * 1024, ram.Size);
    }

    [Fact]
    public void Scalar_Accesses_Are_Little_Endian()
    {
        using var ram = new GuestRam(1);
        ram.Write32(0x10, 0x11223344);
        Assert.Equal((byte)0x44, ram.Read8(0x10));
        Assert.Equal((byte)0x11, ram.Read8(0x13));
        Assert.Equal((ushort)0x3344, ram.Read16(0x10));
        Assert.Equal((ushort)0x1122, ram.Read16(0x12));
        ram.Write16(0x21, 0xBEEF);
        Assert.Equal((byte)0xEF, ram.Base[0x21]);
        Assert.Equal((byte)0xBE, ram.Base[0x22]);
        ram.Write8(0x30, 0x7A);
        Assert.Equal(0x0000007Au, ram.Read32(0x30));
    }

    [Fact]
    public void Last_Bytes_Of_Ram_Are_Accessible()
    {
        using var ram = new GuestRam(1);
        ram.Write32(OneMiB - 4, 0xCAFEBABE);
        Assert.Equal(0xCAFEBABEu, ram.Read32(OneMiB - 4));
        ram.Write8(OneMiB - 1, 0x5A);
        Assert.Equal((byte)0x5A, ram.Read8(OneMiB - 1));
    }

    [Theory]
    [InlineData(0x100000u)]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0x80000000u)]
    public void Out_Of_Range_Byte_Access_Throws_GuestMemoryException(uint phys)
    {
        using var ram = new GuestRam(1);
        var e = Assert.Throws<GuestMemoryException>(() => ram.Read8(phys));
        Assert.Equal(phys, e.Address);
        Assert.Equal(1UL, e.Length);
        Assert.Throws<GuestMemoryException>(() => ram.Write8(phys, 1));
    }

    [Fact]
    public void Access_Straddling_The_End_Is_Rejected()
    {
        using var ram = new GuestRam(1);
        Assert.Throws<GuestMemoryException>(() => ram.Read32(OneMiB - 3));
        Assert.Throws<GuestMemoryException>(() => ram.Read16(OneMiB - 1));
        Assert.Throws<GuestMemoryException>(() => ram.Write32(OneMiB - 2, 0xFFFFFFFF));
        Assert.Equal(0u, ram.Read16(OneMiB - 2)); // the failed write changed nothing
    }

    [Fact]
    public void Access_Wrapping_Around_4GiB_Is_Rejected()
    {
        using var ram = new GuestRam(1);
        // 0xFFFFFFFE + 4 wraps to 2 in 32 bits; a naive check would accept it.
        Assert.False(ram.TryRead32(0xFFFFFFFE, out uint v));
        Assert.Equal(0xFFFFFFFFu, v);
        Assert.False(ram.TryWrite32(0xFFFFFFFE, 1));
        Assert.False(ram.TryWrite16(0xFFFFFFFF, 1));
        Assert.False(ram.TryRead16(0xFFFFFFFF, out ushort v16));
        Assert.Equal((ushort)0xFFFF, v16);
        Assert.False(ram.TryRead8(0xFFFFFFFF, out byte v8));
        Assert.Equal((byte)0xFF, v8);
        Assert.Throws<GuestMemoryException>(() => ram.WriteBytes(0xFFFFFFF0, new byte[0x20]));
    }

    [Fact]
    public void Contains_Handles_Edges_And_Overflow()
    {
        using var ram = new GuestRam(1);
        Assert.True(ram.Contains(0, OneMiB));
        Assert.False(ram.Contains(1, OneMiB));
        Assert.True(ram.Contains(OneMiB, 0));
        Assert.False(ram.Contains(OneMiB, 1));
        Assert.True(ram.Contains(OneMiB - 1, 1));
        Assert.False(ram.Contains(0xFFFFFFFF, 2));
        Assert.False(ram.Contains(0x10, 0xFFFFFFFF));
    }

    [Fact]
    public void Bulk_Write_Past_The_End_Writes_Nothing()
    {
        using var ram = new GuestRam(1);
        byte[] data = { 1, 2, 3, 4, 5, 6, 7, 8 };
        var e = Assert.Throws<GuestMemoryException>(() => ram.WriteBytes(OneMiB - 4, data));
        Assert.Equal(OneMiB - 4, e.Address);
        Assert.Equal(8UL, e.Length);
        Assert.Equal(0u, ram.Read32(OneMiB - 4));
        Assert.False(ram.TryReadBytes(OneMiB - 4, new byte[8]));
        Assert.Throws<GuestMemoryException>(() => ram.ReadBytes(OneMiB - 4, new byte[8]));
        Assert.Throws<GuestMemoryException>(() => ram.Fill(OneMiB - 4, 8, 0xAA));
        Assert.Equal(0u, ram.Read32(OneMiB - 4));
        Assert.Throws<GuestMemoryException>(() => ram.GetSpan(OneMiB - 4, 8));
    }

    [Fact]
    public void Bulk_Read_And_Write_Round_Trip()
    {
        using var ram = new GuestRam(1);
        byte[] data = { 1, 2, 3, 4, 5 };
        ram.WriteBytes(0x1000, data);
        var back = new byte[5];
        ram.ReadBytes(0x1000, back);
        Assert.Equal(data, back);
        ram.Fill(0x1001, 3, 0xEE);
        Assert.Equal(new byte[] { 1, 0xEE, 0xEE, 0xEE, 5 }, ram.GetSpan(0x1000, 5).ToArray());
    }

    [Fact]
    public void Exception_Message_Names_The_Range_And_Ram_Size()
    {
        using var ram = new GuestRam(1);
        var e = Assert.Throws<GuestMemoryException>(() => ram.Read32(0x00100000));
        Assert.Equal(
            "guest physical access [0x00100000, 0x00100004) of 4 byte(s) lies outside guest RAM [0, 0x00100000) (1 MiB)",
            e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(4096)]
    public void Invalid_Sizes_Are_Rejected(int mib)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GuestRam(mib));
    }

    [Fact]
    public void Disposed_Ram_Refuses_Access()
    {
        var ram = new GuestRam(1);
        ram.Dispose();
        Assert.True(ram.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => ram.Read8(0));
        Assert.Throws<ObjectDisposedException>(() => ram.TryWrite32(0, 0));
        ram.Dispose(); // idempotent
    }
}
