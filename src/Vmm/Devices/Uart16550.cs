using System.Collections.Concurrent;
using Transmeta.Vmm.Io;

namespace Transmeta.Vmm.Devices;

/// <summary>
/// A National Semiconductor PC16550D-compatible UART ("16550A"), the PC serial port. COM1 at
/// 0x3F8..0x3FF is the guest console (design.md, "Conventions shared with QEMU").
/// </summary>
/// <remarks>
/// <para>
/// Register map (PC16550D datasheet, Table II "Register Summary"), offsets from the base port:
/// <code>
///   off  DLAB=0 read   DLAB=0 write   DLAB=1
///   0    RBR           THR            DLL (divisor latch, low byte)
///   1    IER           IER            DLM (divisor latch, high byte)
///   2    IIR           FCR            (IIR / FCR as with DLAB=0)
///   3    LCR (bit 7 = DLAB)
///   4    MCR (bit 4 = loopback)
///   5    LSR
///   6    MSR
///   7    SCR (scratch)
/// </code>
/// </para>
/// <para>
/// Transmission is immediate: a byte written to THR goes straight to the output sink, so LSR.THRE
/// and LSR.TEMT (transmitter empty) always read 1, and "THR empty" becomes pending again right after
/// each write. Baud rate, word length, parity and stop bits (LCR, divisor) are stored and read back
/// but do not change the data: there is no wire.
/// </para>
/// <para>
/// Receive: host input (stdin, via <see cref="StartInput"/>, or <see cref="EnqueueInput(ReadOnlySpan{byte})"/>)
/// lands in a thread-safe queue; the guest thread moves it into the 16-byte receive FIFO (1 byte in
/// 16450 mode, FCR bit 0 = 0) whenever the guest touches a UART register or the VMM calls
/// <see cref="Poll"/>. Bytes stay in the host queue while the FIFO is full, so pasted input is never
/// lost to an overrun (like hardware flow control). The VMM should call <see cref="Poll"/> when
/// <see cref="HasPendingInput"/> is true, so an interrupt-driven guest gets its receive interrupt.
/// </para>
/// <para>
/// Interrupts (datasheet Table IV "Interrupt Control Functions"), by priority: receiver line status
/// (IIR id 0x6, on overrun), received data available (0x4, FIFO at or above its trigger level),
/// character timeout (0xC, data below the trigger level — real hardware raises it after four
/// character times of silence; without a wire clock we report it at once, which drivers handle the
/// same way), THR empty (0x2), modem status (0x0). IIR bit 0 = 1 means none pending; IIR bits 6-7
/// are set while FIFOs are enabled, so a probe reads 0xC1 (idle) or 0xC2 (THR empty), which is how
/// Linux's 8250 driver recognises a 16550A (autoconfig: <c>serial_in(UART_IIR) &gt;&gt; 6 == 3</c>).
/// </para>
/// <para>
/// Behaviour Linux's 8250 probe depends on: IER keeps only bits 0-3 (it writes 0x0F and expects
/// 0x0F back, and expects bit 6 — XScale's UUE — to read 0); IIR bit 5 reads 0 (else it would think
/// 16750); the scratch register holds its value; in loopback, MCR=0x1A must read MSR&amp;0xF0 = 0x90;
/// and enabling ETBEI while THR is empty raises the THR-empty interrupt again even after reading IIR
/// cleared it (its "THRE re-assert" test; QEMU's serial.c does the same).
/// </para>
/// <para>
/// <see cref="InterruptLine"/> is the INTR output, reported on every change. Like QEMU it is not
/// gated by MCR.OUT2 (a PC routes INTR through OUT2; Linux sets OUT2 anyway). It is raised on the
/// guest thread only. A write to THR while ETBEI is set drops the line and raises it again, so an
/// edge-triggered 8259 sees a fresh edge for the next "THR empty", as with QEMU.
/// </para>
/// </remarks>
public sealed class Uart16550 : IIoPortDevice
{
    public const ushort Com1Base = 0x3F8;
    public const ushort Com2Base = 0x2F8;
    public const int PortCount = 8;
    public const int FifoDepth = 16;

    /// <summary>Input clock / 16: the baud rate for divisor 1 with the PC's 1.8432 MHz crystal.</summary>
    public const int MaxBaudRate = 115200;

    // Register offsets.
    private const int RegData = 0, RegIer = 1, RegIir = 2, RegLcr = 3, RegMcr = 4, RegLsr = 5, RegMsr = 6, RegScr = 7;

    // IER bits.
    private const byte IerRxData = 0x01, IerThrEmpty = 0x02, IerLineStatus = 0x04, IerModemStatus = 0x08;

    // IIR interrupt ids (bits 0-3).
    private const byte IirNone = 0x01, IirLineStatus = 0x06, IirRxData = 0x04, IirTimeout = 0x0C,
        IirThrEmpty = 0x02, IirModemStatus = 0x00, IirFifoEnabled = 0xC0;

    // FCR bits.
    private const byte FcrEnable = 0x01, FcrClearRx = 0x02, FcrClearTx = 0x04, FcrDmaMode = 0x08, FcrTriggerMask = 0xC0;

    // LCR, MCR bits.
    private const byte LcrDlab = 0x80;
    private const byte McrDtr = 0x01, McrRts = 0x02, McrOut1 = 0x04, McrOut2 = 0x08, McrLoop = 0x10;

    // LSR bits.
    private const byte LsrDataReady = 0x01, LsrOverrun = 0x02, LsrParity = 0x04, LsrFraming = 0x08,
        LsrBreak = 0x10, LsrThrEmpty = 0x20, LsrTxEmpty = 0x40;
    private const byte LsrErrorBits = LsrOverrun | LsrParity | LsrFraming | LsrBreak;

    // MSR bits.
    private const byte MsrDeltaCts = 0x01, MsrDeltaDsr = 0x02, MsrTrailingRi = 0x04, MsrDeltaDcd = 0x08,
        MsrCts = 0x10, MsrDsr = 0x20, MsrRi = 0x40, MsrDcd = 0x80;

    /// <summary>Modem inputs outside loopback: a terminal is attached (CTS, DSR, DCD), as QEMU reports.</summary>
    private const byte MsrConnected = MsrCts | MsrDsr | MsrDcd;

    private readonly OutputSink _output;
    private readonly Stream? _input;
    private readonly ConcurrentQueue<byte> _hostInput = new();
    private readonly Queue<byte> _rxFifo = new(FifoDepth);
    private Thread? _inputThread;

    private byte _ier, _lcr, _mcr, _fcr, _scr, _dll, _dlm;
    private byte _lsrErrors;          // OE/PE/FE/BI, cleared by reading LSR
    private byte _msrStatus;          // MSR bits 4-7
    private byte _msrDelta;           // MSR bits 0-3, cleared by reading MSR
    private bool _thrEmptyPending;    // the THR-empty interrupt source (cleared by IIR read / THR write)
    private bool _lineAsserted;

    /// <summary>Creates a UART writing to <paramref name="output"/> (shared with other devices on the same stream).</summary>
    /// <param name="output">Where transmitted bytes go (the host's stdout).</param>
    /// <param name="input">Where received bytes come from once <see cref="StartInput"/> is called (the host's stdin).</param>
    /// <param name="basePort">First of the eight ports (0x3F8 for COM1).</param>
    public Uart16550(Stream output, Stream? input = null, ushort basePort = Com1Base)
        : this(OutputSink.For(output), input, basePort)
    {
    }

    public Uart16550(OutputSink output, Stream? input = null, ushort basePort = Com1Base)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (basePort > ushort.MaxValue - (PortCount - 1))
            throw new ArgumentOutOfRangeException(nameof(basePort), basePort, "the UART needs eight consecutive ports");
        _output = output;
        _input = input;
        BasePort = basePort;
        Reset();
    }

    /// <summary>First port (THR/RBR).</summary>
    public ushort BasePort { get; }

    /// <summary>The UART's INTR output, called with the new level whenever it changes.</summary>
    public Action<bool>? InterruptLine { get; set; }

    /// <summary>Current level of the INTR output.</summary>
    public bool InterruptAsserted => _lineAsserted;

    public OutputSink Output => _output;

    /// <summary>Divisor latch (DLM:DLL). The baud rate is 115200 / divisor.</summary>
    public ushort Divisor => (ushort)(_dll | (_dlm << 8));

    /// <summary>Programmed baud rate, or 0 when the divisor is 0 (the datasheet leaves that undefined).</summary>
    public int BaudRate => Divisor == 0 ? 0 : MaxBaudRate / Divisor;

    public byte LineControl => _lcr;
    public byte ModemControl => _mcr;
    public bool FifoEnabled => (_fcr & FcrEnable) != 0;
    public bool LoopbackEnabled => (_mcr & McrLoop) != 0;

    /// <summary>True when host input is waiting to enter the receive FIFO (cheap; any thread).</summary>
    public bool HasPendingInput => !_hostInput.IsEmpty;

    /// <summary>Bytes currently in the receive FIFO.</summary>
    public int ReceiveFifoCount => _rxFifo.Count;

    /// <summary>Bytes sent to the output sink (not counting loopback).</summary>
    public long BytesTransmitted { get; private set; }

    /// <summary>True once the input stream reached end of file (or failed).</summary>
    public bool InputEnded { get; private set; }

    /// <summary>Claims BasePort..BasePort+7 on <paramref name="bus"/>.</summary>
    public IoPortRegistration AttachTo(IoPortBus bus) =>
        bus.Register(BasePort, PortCount, this, $"UART 16550A @0x{BasePort:X3}");

    /// <summary>
    /// Master reset state (datasheet Table VIII "UART Reset Configuration"): IER, FCR, LCR, MCR = 0;
    /// LSR = 0x60 (THRE, TEMT); IIR = 0x01; MSR deltas 0. The divisor latch is not affected by reset;
    /// it starts at 12 (9600 baud), what a PC BIOS programs.
    /// </summary>
    public void Reset()
    {
        _ier = _lcr = _mcr = _fcr = _scr = 0;
        _dll = 12;
        _dlm = 0;
        _lsrErrors = 0;
        _msrStatus = MsrConnected;
        _msrDelta = 0;
        _thrEmptyPending = false;
        _rxFifo.Clear();
        UpdateInterrupt();
    }

    // ---------------------------------------------------------------- host side

    /// <summary>
    /// Starts the background thread that copies the input stream into the receive queue. Only the
    /// runner calls this (tests use <see cref="EnqueueInput(ReadOnlySpan{byte})"/>). The thread is a
    /// background thread, so a blocked read of stdin never keeps the process alive.
    /// </summary>
    public void StartInput()
    {
        if (_input == null)
            throw new InvalidOperationException("this UART was created without an input stream");
        if (_inputThread != null)
            return;
        _inputThread = new Thread(InputLoop) { IsBackground = true, Name = $"uart-0x{BasePort:X3}-input" };
        _inputThread.Start();
    }

    private void InputLoop()
    {
        var buffer = new byte[256];
        try
        {
            int n;
            while ((n = _input!.Read(buffer, 0, buffer.Length)) > 0)
                EnqueueInput(buffer.AsSpan(0, n));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            // stdin closed under us: behave as end of input.
        }
        InputEnded = true;
    }

    /// <summary>Queues bytes as if they arrived on the serial line. Thread-safe.</summary>
    public void EnqueueInput(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
            _hostInput.Enqueue(b);
    }

    public void EnqueueInput(byte[] bytes) => EnqueueInput(bytes.AsSpan());

    /// <summary>
    /// Moves queued host input into the receive FIFO and re-evaluates the interrupt. Call it from the
    /// guest thread (e.g. at a block boundary when <see cref="HasPendingInput"/> is true).
    /// </summary>
    public void Poll()
    {
        FillReceiveFifo();
        UpdateInterrupt();
    }

    /// <summary>Writes buffered output to the stream now.</summary>
    public void Flush() => _output.Flush();

    // ---------------------------------------------------------------- guest side

    public uint Read(ushort port, int size)
    {
        // The registers are bytes; a wider access reads consecutive registers, low byte first.
        uint value = 0;
        for (int i = 0; i < size; i++)
            value |= (uint)ReadRegister((port - BasePort + i) & 7) << (8 * i);
        return value;
    }

    public void Write(ushort port, int size, uint value)
    {
        for (int i = 0; i < size; i++)
            WriteRegister((port - BasePort + i) & 7, (byte)(value >> (8 * i)));
    }

    private byte ReadRegister(int offset)
    {
        FillReceiveFifo();
        bool dlab = (_lcr & LcrDlab) != 0;
        byte result;
        switch (offset)
        {
            case RegData:
                if (dlab)
                    return _dll;
                // RBR. An empty FIFO reads 0 (the datasheet leaves it undefined).
                result = _rxFifo.Count > 0 ? _rxFifo.Dequeue() : (byte)0;
                FillReceiveFifo();
                break;
            case RegIer:
                return dlab ? _dlm : _ier;
            case RegIir:
            {
                byte id = PendingInterruptId();
                result = (byte)(id | (FifoEnabled ? IirFifoEnabled : 0));
                // Reading IIR while THR-empty is the reported source clears that source (Table IV).
                if (id == IirThrEmpty)
                    _thrEmptyPending = false;
                break;
            }
            case RegLcr:
                return _lcr;
            case RegMcr:
                return _mcr;
            case RegLsr:
                result = (byte)((_rxFifo.Count > 0 ? LsrDataReady : 0) | _lsrErrors | LsrThrEmpty | LsrTxEmpty);
                _lsrErrors = 0;
                break;
            case RegMsr:
                result = (byte)(_msrStatus | _msrDelta);
                _msrDelta = 0;
                break;
            default: // RegScr
                return _scr;
        }
        UpdateInterrupt();
        return result;
    }

    private void WriteRegister(int offset, byte value)
    {
        bool dlab = (_lcr & LcrDlab) != 0;
        switch (offset)
        {
            case RegData:
                if (dlab)
                    _dll = value;
                else
                    Transmit(value);
                return;
            case RegIer:
                if (dlab)
                {
                    _dlm = value;
                    return;
                }
                WriteIer(value);
                return;
            case RegIir:
                WriteFcr(value);
                return;
            case RegLcr:
                _lcr = value;
                return;
            case RegMcr:
                WriteMcr(value);
                return;
            case RegLsr:
                // LSR is read-only in practice (the datasheet allows factory-test writes); ignore.
                return;
            case RegMsr:
                // MSR is read-only; ignore.
                return;
            default:
                _scr = value;
                return;
        }
    }

    private void Transmit(byte value)
    {
        // Writing THR clears the THR-empty interrupt (Table IV)...
        _thrEmptyPending = false;
        UpdateInterrupt();

        if (LoopbackEnabled)
        {
            // Loopback: the transmitter output is wired to the receiver input (datasheet §8.6).
            if (_rxFifo.Count < ReceiveCapacity)
                _rxFifo.Enqueue(value);
            else
                _lsrErrors |= LsrOverrun;
        }
        else
        {
            _output.Write(value);
            BytesTransmitted++;
        }

        // ...and since the byte left at once, THR is empty again: the interrupt becomes pending anew.
        _thrEmptyPending = true;
        UpdateInterrupt();
    }

    private void WriteIer(byte value)
    {
        byte changed = (byte)((_ier ^ value) & 0x0F);
        _ier = (byte)(value & 0x0F); // bits 4-7 are always 0
        // Turning ETBEI on while THR is empty makes the THR-empty interrupt pending even if an IIR
        // read had cleared it; turning it off forgets it (QEMU serial.c; Linux's THRE test needs it).
        if ((changed & IerThrEmpty) != 0)
            _thrEmptyPending = (_ier & IerThrEmpty) != 0;
        UpdateInterrupt();
    }

    private void WriteFcr(byte value)
    {
        bool wasEnabled = FifoEnabled;
        bool enable = (value & FcrEnable) != 0;
        // Changing FCR0 clears both FIFOs; with FCR0 = 0 the other bits are not programmed.
        if (enable != wasEnabled)
            _rxFifo.Clear();
        if (enable && (value & FcrClearRx) != 0)
            _rxFifo.Clear();
        // FcrClearTx: the transmit FIFO is always empty here.
        _fcr = enable ? (byte)(value & (FcrEnable | FcrDmaMode | FcrTriggerMask)) : (byte)0;
        FillReceiveFifo();
        UpdateInterrupt();
    }

    private void WriteMcr(byte value)
    {
        bool wasLoop = LoopbackEnabled;
        _mcr = (byte)(value & 0x1F); // bits 5-7 are always 0 on the 16550
        UpdateModemStatus();
        if (wasLoop && !LoopbackEnabled)
            FillReceiveFifo(); // the serial input is connected again
        UpdateInterrupt();
    }

    /// <summary>
    /// Recomputes MSR bits 4-7 and latches the delta bits. In loopback the modem control outputs
    /// drive the modem status inputs: DTR→DSR, RTS→CTS, OUT1→RI, OUT2→DCD (datasheet §8.6).
    /// </summary>
    private void UpdateModemStatus()
    {
        byte status = MsrConnected;
        if (LoopbackEnabled)
        {
            status = 0;
            if ((_mcr & McrDtr) != 0) status |= MsrDsr;
            if ((_mcr & McrRts) != 0) status |= MsrCts;
            if ((_mcr & McrOut1) != 0) status |= MsrRi;
            if ((_mcr & McrOut2) != 0) status |= MsrDcd;
        }
        byte changed = (byte)(status ^ _msrStatus);
        if ((changed & MsrCts) != 0) _msrDelta |= MsrDeltaCts;
        if ((changed & MsrDsr) != 0) _msrDelta |= MsrDeltaDsr;
        if ((changed & MsrDcd) != 0) _msrDelta |= MsrDeltaDcd;
        // TERI is set on the trailing edge of RI only (RI going from 1 to 0).
        if ((_msrStatus & MsrRi) != 0 && (status & MsrRi) == 0) _msrDelta |= MsrTrailingRi;
        _msrStatus = status;
    }

    private int ReceiveCapacity => FifoEnabled ? FifoDepth : 1;

    /// <summary>Receiver FIFO trigger level from FCR bits 6-7: 1, 4, 8 or 14 bytes.</summary>
    private int TriggerLevel => (_fcr >> 6) switch { 0 => 1, 1 => 4, 2 => 8, _ => 14 };

    private void FillReceiveFifo()
    {
        // In loopback the receiver is disconnected from the serial input (datasheet §8.6).
        if (LoopbackEnabled)
            return;
        while (_rxFifo.Count < ReceiveCapacity && _hostInput.TryDequeue(out byte b))
            _rxFifo.Enqueue(b);
    }

    private byte PendingInterruptId()
    {
        if ((_ier & IerLineStatus) != 0 && (_lsrErrors & LsrErrorBits) != 0)
            return IirLineStatus;
        if ((_ier & IerRxData) != 0 && _rxFifo.Count > 0)
            return FifoEnabled && _rxFifo.Count < TriggerLevel ? IirTimeout : IirRxData;
        if ((_ier & IerThrEmpty) != 0 && _thrEmptyPending)
            return IirThrEmpty;
        if ((_ier & IerModemStatus) != 0 && (_msrDelta & 0x0F) != 0)
            return IirModemStatus;
        return IirNone;
    }

    private void UpdateInterrupt()
    {
        bool level = PendingInterruptId() != IirNone;
        if (level == _lineAsserted)
            return;
        _lineAsserted = level;
        InterruptLine?.Invoke(level);
    }
}
