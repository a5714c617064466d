using Transmeta.Vmm.Io;
using Xunit;

namespace Transmeta.Tests.Vmm;

public sealed class IoPortBusTests
{
    /// <summary>Records accesses; reads return 0x40 + offset from the first port, per byte.</summary>
    private sealed class RecordingDevice : IIoPortDevice
    {
        public readonly List<string> Log = new();
        public ushort First;

        public uint Read(ushort port, int size)
        {
            Log.Add($"R {port:X4}/{size}");
            uint v = 0;
            for (int i = 0; i < size; i++)
                v |= (uint)(0x40 + port - First + i) << (8 * i);
            return v;
        }

        public void Write(ushort port, int size, uint value) => Log.Add($"W {port:X4}/{size}={value:X}");
    }

    [Fact]
    public void Unclaimed_Ports_Read_All_Ones_And_Ignore_Writes()
    {
        var bus = new IoPortBus();
        Assert.Equal(0xFFu, bus.In(0x80, 1));
        Assert.Equal(0xFFFFu, bus.In(0x80, 2));
        Assert.Equal(0xFFFFFFFFu, bus.In(0x80, 4));
        bus.Out(0x80, 1, 0x12);
        bus.Out(0x1234, 4, 0x12345678);
        Assert.Equal(0xFFu, bus.In(0x3F8, 1));
        Assert.Equal(0xFFFFu, bus.In(0xFFFF, 2)); // the second byte is past the end of the space
        Assert.Equal(1 + 2 + 4 + 1 + 2, bus.UnclaimedReads);
        Assert.Equal(1 + 4, bus.UnclaimedWrites);
    }

    [Fact]
    public void Accesses_Within_A_Range_Reach_The_Device_Whole()
    {
        var bus = new IoPortBus();
        var dev = new RecordingDevice { First = 0x100 };
        IoPortRegistration reg = bus.Register(0x100, 4, dev, "rec");
        Assert.Equal(0x41u, bus.In(0x101, 1));
        Assert.Equal(0x43424140u, bus.In(0x100, 4));
        bus.Out(0x102, 2, 0xABCD);
        bus.Out(0x103, 1, 0x1FF); // masked to the access size
        Assert.Equal(new[] { "R 0101/1", "R 0100/4", "W 0102/2=ABCD", "W 0103/1=FF" }, dev.Log);
        Assert.Equal(2, reg.Reads);
        Assert.Equal(2, reg.Writes);
        Assert.Same(reg, bus.Lookup(0x103));
        Assert.Null(bus.Lookup(0x104));
        Assert.Equal("rec [0x0100-0x0103] reads=2 writes=2", reg.ToString());
    }

    [Fact]
    public void Access_Straddling_The_End_Of_A_Range_Is_Split_Into_Bytes()
    {
        var bus = new IoPortBus();
        var dev = new RecordingDevice { First = 0x100 };
        bus.Register(0x100, 2, dev);
        Assert.Equal(0xFFFF4140u, bus.In(0x100, 4) & 0xFFFFFFFF);
        Assert.Equal(0xFF41u, bus.In(0x101, 2));
        bus.Out(0x101, 2, 0xBBAA);
        Assert.Equal(new[] { "R 0100/1", "R 0101/1", "R 0101/1", "W 0101/1=AA" }, dev.Log);
    }

    [Fact]
    public void Overlapping_Or_Invalid_Registrations_Are_Rejected()
    {
        var bus = new IoPortBus();
        bus.Register(0x3F8, 8, new RecordingDevice(), "uart");
        var e = Assert.Throws<InvalidOperationException>(() => bus.Register(0x3FF, 1, new RecordingDevice()));
        Assert.Equal("port 0x03FF is already claimed by uart [0x03F8-0x03FF]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => bus.Register(0xFFFF, 2, new RecordingDevice()));
        Assert.Throws<ArgumentOutOfRangeException>(() => bus.Register(0x10, 0, new RecordingDevice()));
        bus.Register(0xFFFF, 1, new RecordingDevice());
        Assert.Equal(2, bus.Registrations.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(8)]
    public void Invalid_Access_Sizes_Are_Rejected(int size)
    {
        var bus = new IoPortBus();
        Assert.Throws<ArgumentOutOfRangeException>(() => bus.In(0x80, size));
        Assert.Throws<ArgumentOutOfRangeException>(() => bus.Out(0x80, size, 0));
    }
}
