using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Transmeta.DiffTest;

/// <summary>
/// The native side: builds tests/native-harness (nasm + gcc -m32 -static, Debian's nasm and
/// gcc-multilib) into a temporary directory named after a hash of its sources, starts it, and
/// runs batches of sequences through its binary protocol (described in harness.c).
/// </summary>
public sealed class NativeHarness : IDisposable
{
    private const int ResultSize = 56 + FpuImage.Size;
    private readonly Process _process;
    private readonly Stream _in;
    private readonly Stream _out;

    /// <summary>CS DS ES SS FS GS of the harness process.</summary>
    public ushort[] Selectors { get; }

    public NativeHarness(string binary)
    {
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {binary}");
        _in = new BufferedStream(_process.StandardInput.BaseStream, 1 << 16);
        _out = new BufferedStream(_process.StandardOutput.BaseStream, 1 << 16);
        var hello = new byte[32];
        ReadExact(hello);
        if (BinaryPrimitives.ReadUInt32LittleEndian(hello) != 0x48444D54 || BinaryPrimitives.ReadUInt32LittleEndian(hello.AsSpan(4)) != 2)
            throw new InvalidOperationException("native harness: bad hello");
        Selectors = Enumerable.Range(0, 6).Select(i => (ushort)BinaryPrimitives.ReadUInt32LittleEndian(hello.AsSpan(8 + 4 * i))).ToArray();
    }

    public static NativeHarness Start() => new(Build());

    // ------------------------------------------------------------------ building

    /// <summary>The harness sources: TRANSMETA_HARNESS_SRC, or tests/native-harness found by
    /// walking up from the running assembly.</summary>
    public static string SourceDirectory()
    {
        string? env = Environment.GetEnvironmentVariable("TRANSMETA_HARNESS_SRC");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "native-harness");
            if (File.Exists(Path.Combine(candidate, "harness.c"))) return candidate;
        }
        throw new InvalidOperationException("tests/native-harness not found (set TRANSMETA_HARNESS_SRC)");
    }

    private static readonly object BuildLock = new();

    /// <summary>Builds the harness once per source version; returns the binary's path.</summary>
    public static string Build()
    {
        lock (BuildLock)
        {
            string src = SourceDirectory();
            string c = Path.Combine(src, "harness.c"), asm = Path.Combine(src, "stub.asm");
            byte[] hash = SHA256.HashData(File.ReadAllBytes(c).Concat(File.ReadAllBytes(asm)).ToArray());
            string dir = Path.Combine(Path.GetTempPath(), "transmeta-difftest-" + Convert.ToHexString(hash)[..16].ToLowerInvariant());
            string binary = Path.Combine(dir, "harness");
            if (File.Exists(binary)) return binary;
            Directory.CreateDirectory(dir);
            // Private names until the final rename: another process may be building the same.
            string obj = Path.Combine(dir, $"stub.{Environment.ProcessId}.o");
            string tmp = binary + "." + Environment.ProcessId;
            Tool("nasm", "nasm", "-f", "elf32", "-o", obj, asm);
            Tool("gcc", "gcc-multilib", "-m32", "-static", "-O2", "-o", tmp, c, obj);
            File.Move(tmp, binary, overwrite: true);
            File.Delete(obj);
            return binary;
        }
    }

    private static void Tool(string tool, string package, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"the native harness needs {tool} (Debian package {package}; scripts/setup.sh installs it): {e.Message}");
        }
        string err = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{tool} failed (needs Debian package {package}):\n{err}");
    }

    // ------------------------------------------------------------------ running

    /// <summary>Runs the sequences natively, in order; with <paramref name="wantMemory"/> the
    /// outcomes carry the data buffer (always for a sequence with masked memory).</summary>
    public Outcome[] Run(IReadOnlyList<CompiledSequence> seqs, bool wantMemory = false)
    {
        var results = new Outcome[seqs.Count];
        const int Batch = 4096;
        for (int start = 0; start < seqs.Count; start += Batch)
        {
            int count = Math.Min(Batch, seqs.Count - start);
            // The writer runs beside the reader so neither pipe fills up.
            Task writer = Task.Run(() => WriteBatch(seqs, start, count, wantMemory));
            for (int i = 0; i < count; i++) results[start + i] = ReadResult(wantMemory || seqs[start + i].MaskedMemory.Length > 0);
            writer.GetAwaiter().GetResult();
        }
        return results;
    }

    public Outcome Run(CompiledSequence seq, bool wantMemory = false) => Run([seq], wantMemory)[0];

    private void WriteBatch(IReadOnlyList<CompiledSequence> seqs, int start, int count, bool wantMemory)
    {
        Span<byte> head = stackalloc byte[52];
        BinaryPrimitives.WriteUInt32LittleEndian(head, (uint)count);
        _in.Write(head[..4]);
        for (int i = start; i < start + count; i++)
        {
            CompiledSequence s = seqs[i];
            InitialState init = s.Source.Init;
            for (int r = 0; r < 8; r++) BinaryPrimitives.WriteUInt32LittleEndian(head[(4 * r)..], init.Regs[r]);
            BinaryPrimitives.WriteUInt32LittleEndian(head[32..], init.Eflags);
            bool memory = wantMemory || s.MaskedMemory.Length > 0;
            BinaryPrimitives.WriteUInt32LittleEndian(head[36..], (memory ? 1u : 0) | (init.ZeroMemory ? 2u : 0));
            BinaryPrimitives.WriteUInt64LittleEndian(head[40..], init.MemorySeed);
            BinaryPrimitives.WriteUInt32LittleEndian(head[48..], (uint)s.Code.Length);
            _in.Write(head);
            _in.Write(init.Fpu);
            _in.Write(s.Code);
        }
        _in.Flush();
    }

    private Outcome ReadResult(bool wantMemory)
    {
        Span<byte> r = stackalloc byte[ResultSize];
        ReadExact(r);
        var o = new Outcome();
        for (int i = 0; i < 8; i++) o.Regs[i] = BinaryPrimitives.ReadUInt32LittleEndian(r[(4 * i)..]);
        o.Eflags = BinaryPrimitives.ReadUInt32LittleEndian(r[32..]);
        o.Trap = BinaryPrimitives.ReadInt32LittleEndian(r[36..]);
        o.Eip = BinaryPrimitives.ReadUInt32LittleEndian(r[40..]);
        o.MemoryHash = BinaryPrimitives.ReadUInt64LittleEndian(r[48..]);
        o.Fpu = r.Slice(56, FpuImage.Size).ToArray();
        if (wantMemory)
        {
            o.Memory = new byte[Layout.DataSize];
            ReadExact(o.Memory);
        }
        return o;
    }

    private void ReadExact(Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            int n = _out.Read(buffer);
            if (n == 0)
                throw new InvalidOperationException(
                    $"native harness ended unexpectedly{(_process.HasExited ? $" (exit status {_process.ExitCode})" : "")}");
            buffer = buffer[n..];
        }
    }

    public void Dispose()
    {
        try
        {
            _in.Write(new byte[4]);
            _in.Flush();
            _in.Dispose();
            if (!_process.WaitForExit(2000)) _process.Kill();
        }
        catch (IOException) { }
        _process.Dispose();
    }
}
