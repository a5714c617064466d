using System.Text;
using Transmeta.Vmm.Devices;
using Transmeta.Vmm.Io;
using Xunit;

namespace Transmeta.Tests.Vmm;

public sealed class Uart16550Tests
{
    private const ushort Base = 0x3F8;
    private const ushort Thr = Base, Ier = Base + 1, Iir = Base + 2, Fcr = Base + 2, Lcr = Base + 3,
        Mcr = Base + 4, Lsr = Base + 5, Msr = Base + 6, Scr = Base + 7;

    private readonly MemoryStream _out = new();
    private readonly Uart16550 _uart;
    private readonly IoPortBus _bus = new();
    private readonly List<bool> _irq = new();

    public Uart16550Tests()
    {
        _uart = new Uart16550(new OutputSink(_out));
        _uart.AttachTo(_bus);
        _uart.InterruptLine = level => _irq.Add(level);
    }

    private byte In(ushort port) => (byte)_bus.In(port, 1);
    private void Out(ushort port, byte value) => _bus.Out(port, 1, value);
    private string Output => Encoding.ASCII.GetString(_out.ToArray());

    [Fact]
    public void Reset_State_Matches_The_Datasheet()
    {
        Assert.Equal(0x00, In(Ier));
        Assert.Equal(0x01, In(Iir));
        Assert.Equal(0x00, In(Lcr));
        Assert.Equal(0x00, In(Mcr));
        Assert.Equal(0x60, In(Lsr));
        Assert.Equal(0xB0, In(Msr)); // CTS, DSR, DCD: a terminal is attached
        Assert.Equal(0x00, In(Scr));
        Assert.Equal(12, _uart.Divisor);
        Assert.Empty(_irq);
    }

    [Fact]
    public void Dlab_Selects_The_Divisor_Latch()
    {
        Out(Lcr, 0x83);          // DLAB + 8N1
        Out(Thr, 0x01);          // DLL
        Out(Ier, 0x00);          // DLM
        Assert.Equal(0x01, In(Thr));
        Assert.Equal(0x00, In(Ier));
        Assert.Equal(1, _uart.Divisor);
        Assert.Equal(115200, _uart.BaudRate);

        Out(Thr, 0x80);
        Out(Ier, 0x01);
        Assert.Equal(0x0180, _uart.Divisor);
        Assert.Equal(300, _uart.BaudRate);

        Out(Lcr, 0x03);          // DLAB off: offsets 0/1 are THR and IER again
        Assert.Equal(0x03, In(Lcr));
        Assert.Equal(0x00, In(Ier)); // the DLM writes did not touch IER
        Out(Thr, (byte)'A');
        _uart.Flush();
        Assert.Equal("A", Output);   // the DLL writes produced no output
        Assert.Equal(0x0180, _uart.Divisor);
    }

    [Fact]
    public void Scratch_Register_Holds_Its_Value()
    {
        Out(Scr, 0x5A);
        Assert.Equal(0x5A, In(Scr));
        Out(Scr, 0xA5);
        Assert.Equal(0xA5, In(Scr));
    }

    [Fact]
    public void Ier_Keeps_Only_Bits_0_To_3()
    {
        Out(Ier, 0xFF);
        Assert.Equal(0x0F, In(Ier));
        Out(Ier, 0x00);
        Assert.Equal(0x00, In(Ier));
    }

    [Fact]
    public void Transmitted_Bytes_Reach_The_Stream_On_Newline_Or_Flush()
    {
        foreach (char c in "Hi\n")
            Out(Thr, (byte)c);
        Assert.Equal("Hi\n", Output);
        Out(Thr, (byte)'a');
        Out(Thr, (byte)'b');
        Assert.Equal("Hi\n", Output); // buffered until a newline...
        _uart.Flush();
        Assert.Equal("Hi\nab", Output); // ...or an explicit flush
        Assert.Equal(5, _uart.BytesTransmitted);
        Assert.Equal(0x60, In(Lsr)); // THRE and TEMT stay set: output is immediate
    }

    [Fact]
    public void Output_Is_Flushed_When_4KiB_Are_Buffered()
    {
        for (int i = 0; i < 4095; i++)
            Out(Thr, (byte)'x');
        Assert.Equal(0, _out.Length);
        Out(Thr, (byte)'x');
        Assert.Equal(4096, _out.Length);
    }

    [Fact]
    public void Received_Data_Sets_Lsr_Data_Ready()
    {
        _uart.EnqueueInput(new byte[] { 0x41, 0x42 });
        Assert.True(_uart.HasPendingInput);
        Assert.Equal(0x61, In(Lsr));
        Assert.Equal(0x41, In(Thr));
        Assert.Equal(0x61, In(Lsr));
        Assert.Equal(0x42, In(Thr));
        Assert.Equal(0x60, In(Lsr));
        Assert.Equal(0x00, In(Thr)); // empty receiver reads 0
    }

    [Fact]
    public void Fifo_Enable_Shows_In_Iir_Bits_6_And_7()
    {
        Out(Fcr, 0x07);           // enable + clear both FIFOs
        Assert.Equal(0xC1, In(Iir));
        Assert.True(_uart.FifoEnabled);
        Out(Ier, 0x02);           // THR empty interrupt
        Assert.Equal(0xC2, In(Iir));
        Assert.Equal(0xC1, In(Iir)); // reading IIR cleared the THRE source
        Out(Fcr, 0x00);
        Assert.Equal(0x01, In(Iir));
        Assert.False(_uart.FifoEnabled);
    }

    [Fact]
    public void Fifo_Holds_16_Bytes_And_Keeps_The_Rest_Queued()
    {
        Out(Fcr, 0x01);
        byte[] input = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        _uart.EnqueueInput(input);
        _uart.Poll();
        Assert.Equal(16, _uart.ReceiveFifoCount);
        var received = new List<byte>();
        while ((In(Lsr) & 1) != 0)
            received.Add(In(Thr));
        Assert.Equal(input, received.ToArray());
        Assert.Equal(0x60, In(Lsr)); // no overrun
    }

    [Fact]
    public void Without_Fifo_The_Receiver_Holds_One_Byte()
    {
        _uart.EnqueueInput(new byte[] { 1, 2, 3 });
        _uart.Poll();
        Assert.Equal(1, _uart.ReceiveFifoCount);
        Assert.Equal(1, In(Thr));
        Assert.Equal(2, In(Thr));
        Assert.Equal(3, In(Thr));
    }

    [Fact]
    public void Loopback_Routes_Mcr_To_Msr_As_Linux_Probe_Expects()
    {
        Out(Mcr, 0x1A);           // LOOP | OUT2 | RTS
        Assert.Equal(0x90, In(Msr) & 0xF0); // DCD | CTS
        Out(Mcr, 0x10);
        Assert.Equal(0x00, In(Msr) & 0xF0);
        Out(Mcr, 0x1F);
        Assert.Equal(0xFB, In(Msr)); // all four inputs, deltas DCTS/DDSR/DDCD (TERI only on RI's falling edge)
        Assert.Equal(0xF0, In(Msr)); // reading cleared the deltas
        Out(Mcr, 0x1B);           // OUT1 off: RI falls
        Assert.Equal(0xB4, In(Msr)); // DCD, DSR, CTS, TERI
    }

    [Fact]
    public void Loopback_Sends_Transmitted_Bytes_To_The_Receiver()
    {
        Out(Mcr, 0x10);
        _uart.EnqueueInput(new byte[] { 0x99 }); // the serial input is disconnected in loopback
        Out(Thr, (byte)'Z');
        Assert.Equal(0x61, In(Lsr));
        Assert.Equal((byte)'Z', In(Thr));
        Assert.Equal(0x60, In(Lsr));
        _uart.Flush();
        Assert.Equal("", Output);
        Assert.Equal(0x10, In(Mcr));
        Out(Mcr, 0x00);           // leaving loopback reconnects the input
        Assert.Equal(0x99, In(Thr));
    }

    [Fact]
    public void Loopback_Overrun_Sets_Oe_Until_Lsr_Is_Read()
    {
        Out(Mcr, 0x10);           // no FIFO: one byte of room
        Out(Thr, 1);
        Out(Thr, 2);
        Assert.Equal(0x63, In(Lsr)); // DR | OE | THRE | TEMT
        Assert.Equal(0x61, In(Lsr)); // OE cleared by the read
        Assert.Equal(1, In(Thr));
    }

    [Fact]
    public void Received_Data_Interrupt_Follows_The_Fifo()
    {
        Out(Ier, 0x01);
        Assert.Empty(_irq);
        _uart.EnqueueInput(new byte[] { 0x31 });
        _uart.Poll();
        Assert.Equal(new[] { true }, _irq);
        Assert.True(_uart.InterruptAsserted);
        Assert.Equal(0x04, In(Iir));
        Assert.Equal(0x31, In(Thr));
        Assert.Equal(new[] { true, false }, _irq);
        Assert.Equal(0x01, In(Iir));
    }

    [Fact]
    public void Data_Below_The_Trigger_Level_Reports_Character_Timeout()
    {
        Out(Fcr, 0xC1);           // FIFO, trigger level 14
        Out(Ier, 0x01);
        _uart.EnqueueInput(new byte[3]);
        _uart.Poll();
        Assert.Equal(0xCC, In(Iir));
        _uart.EnqueueInput(new byte[11]);
        _uart.Poll();
        Assert.Equal(0xC4, In(Iir));
    }

    [Fact]
    public void Thr_Empty_Interrupt_Is_Cleared_By_Iir_Read_And_Rearmed_By_Writes()
    {
        Out(Ier, 0x02);
        Assert.Equal(new[] { true }, _irq);
        Assert.Equal(0x02, In(Iir));   // reading IIR clears THRE as the source
        Assert.Equal(new[] { true, false }, _irq);
        Out(Thr, (byte)'x');           // a write empties at once: THRE pending again (new edge)
        Assert.Equal(new[] { true, false, true }, _irq);
        Out(Thr, (byte)'y');           // line was high: it drops and rises again
        Assert.Equal(new[] { true, false, true, false, true }, _irq);

        // Linux's "THRE re-assert" test: clear by IIR read, then toggle ETBEI.
        Assert.Equal(0x02, In(Iir));
        Out(Ier, 0x00);
        Out(Ier, 0x02);
        Assert.Equal(0x02, In(Iir));
    }

    [Fact]
    public void Line_Status_Interrupt_Has_Priority_Over_Received_Data()
    {
        Out(Ier, 0x05);
        Out(Mcr, 0x10);
        Out(Thr, 1);
        Out(Thr, 2);                   // overrun
        Assert.Equal(0x06, In(Iir));
        Assert.Equal(0x63, In(Lsr));
        Assert.Equal(0x04, In(Iir));
    }

    [Fact]
    public void Modem_Status_Interrupt_On_Delta()
    {
        Out(Ier, 0x08);
        Out(Mcr, 0x10);                // entering loopback drops CTS/DSR/DCD: deltas
        Assert.Equal(0x00, In(Iir));   // modem status (id 0), pending
        Assert.Equal(0x0B, In(Msr));
        Assert.Equal(0x01, In(Iir));
    }

    [Fact]
    public void Wide_Accesses_Touch_Consecutive_Registers()
    {
        Out(Scr, 0x77);
        Assert.Equal(0x77B0u, _bus.In(Msr, 2));          // MSR=0xB0 in the low byte, SCR in the high byte
        Assert.Equal(0xB060u, _bus.In(Lsr, 2));          // LSR=0x60, MSR=0xB0
        _bus.Out(Lcr, 2, 0x0083);                         // LCR=0x83, MCR=0x00
        Assert.Equal(0x83, In(Lcr));
        Assert.Equal(0x00, In(Mcr));
    }

    [Fact]
    public void Uart_And_Debug_Console_Share_One_Buffer_Per_Stream()
    {
        var stream = new MemoryStream();
        var uart = new Uart16550(stream);
        var dbg = new DebugConsole(stream);
        Assert.Same(uart.Output, dbg.Output);
        uart.Write(Base, 1, 'a');
        dbg.Write(0xE9, 1, 'b');
        uart.Write(Base, 1, '\n');
        Assert.Equal("ab\n", Encoding.ASCII.GetString(stream.ToArray()));
    }

    [Fact]
    public void Configurable_Base_Port()
    {
        var uart = new Uart16550(new OutputSink(new MemoryStream()), basePort: Uart16550.Com2Base);
        var bus = new IoPortBus();
        IoPortRegistration reg = uart.AttachTo(bus);
        Assert.Equal(0x2F8, reg.First);
        Assert.Equal(0x2FF, reg.Last);
        bus.Out(0x2FF, 1, 0x42);
        Assert.Equal(0x42u, bus.In(0x2FF, 1));
        Assert.Equal(0xFFu, bus.In(0x3FF, 1));
    }

    [Fact]
    public void StartInput_Without_An_Input_Stream_Is_An_Error()
    {
        Assert.Throws<InvalidOperationException>(() => _uart.StartInput());
    }

    [Fact]
    public void StartInput_Copies_The_Input_Stream()
    {
        var uart = new Uart16550(new OutputSink(new MemoryStream()), new MemoryStream(new byte[] { 7, 8 }));
        uart.StartInput();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!uart.InputEnded && DateTime.UtcNow < deadline)
            Thread.Sleep(1);
        Assert.True(uart.InputEnded);
        Assert.Equal(7u, uart.Read(Base, 1));
        Assert.Equal(8u, uart.Read(Base, 1));
    }
}
