using System.Text;
using Transmeta.Vmm.Devices;
using Transmeta.Vmm.Io;
using Xunit;

namespace Transmeta.Tests.Vmm;

public sealed class DebugPortTests
{
    [Theory]
    [InlineData(0u, 1)]
    [InlineData(1u, 3)]
    [InlineData(0x7Fu, 0xFF)]
    [InlineData(0x80u, 0x101)]
    public void Exit_Status_Is_V_Shifted_Left_Or_One(uint value, int expected)
    {
        Assert.Equal(expected, DebugExitPort.ComputeExitCode(value));

        var bus = new IoPortBus();
        var exit = new DebugExitPort();
        exit.AttachTo(bus);
        Assert.False(exit.ExitRequested);
        bus.Out(0xF4, 1, value);
        Assert.True(exit.ExitRequested);
        Assert.Equal(value, exit.ExitValue);
        Assert.Equal(expected, exit.ExitCode);
        Assert.Equal(expected & 0xFF, exit.ProcessExitStatus);
    }

    [Fact]
    public void Any_Access_Size_And_Port_In_The_Range_Counts()
    {
        var bus = new IoPortBus();
        var exit = new DebugExitPort();
        IoPortRegistration reg = exit.AttachTo(bus);
        Assert.Equal(0xF4, reg.First);
        Assert.Equal(4, reg.Count);
        bus.Out(0xF4, 4, 0x12345678);
        Assert.Equal(0x12345678u, exit.ExitValue);
        Assert.Equal(0x2468ACF1, exit.ExitCode);
        Assert.Equal(0xF1, exit.ProcessExitStatus);

        var exit2 = new DebugExitPort();
        var bus2 = new IoPortBus();
        exit2.AttachTo(bus2);
        bus2.Out(0xF6, 2, 0x0021);
        Assert.Equal(0x43, exit2.ExitCode);
    }

    [Fact]
    public void First_Write_Wins()
    {
        var exit = new DebugExitPort();
        exit.Write(0xF4, 1, 5);
        exit.Write(0xF4, 1, 9);
        Assert.Equal(11, exit.ExitCode);
        exit.Clear();
        Assert.False(exit.ExitRequested);
        Assert.Equal(0, exit.ExitCode);
    }

    [Fact]
    public void Exit_Port_Reads_All_Ones()
    {
        var bus = new IoPortBus();
        new DebugExitPort().AttachTo(bus);
        Assert.Equal(0xFFu, bus.In(0xF4, 1));
        Assert.Equal(0xFFFFu, bus.In(0xF4, 2));
        Assert.Equal(0xFFFFFFFFu, bus.In(0xF4, 4));
    }

    [Fact]
    public void Debug_Console_Writes_Bytes_And_Reads_E9()
    {
        var stream = new MemoryStream();
        var con = new DebugConsole(new OutputSink(stream));
        var bus = new IoPortBus();
        con.AttachTo(bus);
        Assert.Equal(0xE9u, bus.In(0xE9, 1));
        foreach (char c in "ok\n")
            bus.Out(0xE9, 1, c);
        Assert.Equal("ok\n", Encoding.ASCII.GetString(stream.ToArray()));
        bus.Out(0xE9, 2, 0x4158);  // low byte 'X' to 0xE9, high byte to the unclaimed 0xEA
        con.Flush();
        Assert.Equal("ok\nX", Encoding.ASCII.GetString(stream.ToArray()));
        Assert.Equal(4, con.BytesWritten);
    }

    [Fact]
    public void Output_Sink_Survives_A_Failing_Stream()
    {
        var stream = new MemoryStream();
        var sink = new OutputSink(stream);
        stream.Dispose();
        sink.Write((byte)'\n');
        Assert.IsType<ObjectDisposedException>(sink.WriteError);
        sink.Write((byte)'\n'); // dropped, no exception
        Assert.Equal(2, sink.BytesWritten);
    }
}
