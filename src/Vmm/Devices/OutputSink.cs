using System.Runtime.CompilerServices;

namespace Transmeta.Vmm.Devices;

/// <summary>
/// The buffered byte output that the guest's consoles (COM1, port 0xE9) write to, usually the host's
/// stdout.
/// </summary>
/// <remarks>
/// <para>
/// Why buffered: a guest prints one byte per OUT instruction, and a write system call per byte would
/// dominate a console-heavy run. Why flushed at '\n' and at 4 KiB: a person (or a test harness
/// watching for a line) sees each complete line as soon as the guest finishes it, while long runs
/// without newlines still make progress.
/// </para>
/// <para>
/// Why shared: the UART and the debug console write to the same stdout, and two separate buffers
/// would reorder their output (one device's partial line would be overtaken by the other's flushed
/// line). <see cref="For"/> hands out one sink per stream, so devices constructed with the same
/// <see cref="Stream"/> share a buffer and keep the guest's order.
/// </para>
/// <para>
/// Thread-safe (a lock per byte; uncontended, it costs nanoseconds): the guest thread writes while
/// the host may flush from another thread at exit or on Ctrl+C. A failing stream (closed pipe) does
/// not stop the guest: the error is recorded in <see cref="WriteError"/> and later output is dropped.
/// </para>
/// </remarks>
public sealed class OutputSink
{
    /// <summary>Buffer size; the buffer is flushed when it is full.</summary>
    public const int BufferSize = 4096;

    private static readonly ConditionalWeakTable<Stream, OutputSink> s_shared = new();

    private readonly object _lock = new();
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _count;

    /// <summary>Creates a private sink. Prefer <see cref="For"/> so devices share one buffer.</summary>
    public OutputSink(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
            throw new ArgumentException("the console output stream must be writable", nameof(stream));
        _stream = stream;
    }

    /// <summary>The sink shared by every device that writes to <paramref name="stream"/>.</summary>
    public static OutputSink For(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return s_shared.GetValue(stream, static s => new OutputSink(s));
    }

    public Stream Stream => _stream;

    /// <summary>Total bytes accepted from the guest (including any dropped after a write error).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>The first error the stream raised, if any; output is discarded after it.</summary>
    public Exception? WriteError { get; private set; }

    /// <summary>Appends one byte; flushes on '\n' or when the buffer is full.</summary>
    public void Write(byte value)
    {
        lock (_lock)
        {
            BytesWritten++;
            _buffer[_count++] = value;
            if (value == (byte)'\n' || _count == BufferSize)
                FlushLocked();
        }
    }

    /// <summary>Writes out whatever is buffered and flushes the stream.</summary>
    public void Flush()
    {
        lock (_lock)
            FlushLocked();
    }

    private void FlushLocked()
    {
        int n = _count;
        _count = 0;
        if (WriteError != null)
            return;
        try
        {
            if (n > 0)
                _stream.Write(_buffer, 0, n);
            _stream.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            WriteError = e;
        }
    }
}
