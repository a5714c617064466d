using System.Globalization;
using System.Text;
using Transmeta.Frontend.Fpu;
using Transmeta.Frontend.State;
using Transmeta.Tests.Support;

namespace Transmeta.Tests.Fpu;

/// <summary>
/// One x87 case recorded on the test host's FPU by Recorder/x87rec (see Recorder/README.md): the
/// recorder's input line (code bytes ending in RET, control word, register stack, memory at
/// 0x20000, EFLAGS, general registers) and what the hardware left after it (the FNSAVE image:
/// control, status and tag words, last-instruction pointers, ST(0)..ST(7); EAX ECX EDX; EFLAGS;
/// 64 bytes of memory at 0x20000; or the signal and trap number when it faulted).
/// </summary>
public sealed class X87Case
{
    public required string Name { get; init; }
    public required string Line { get; init; }
    public required byte[] Code { get; init; }
    public uint ControlWord { get; init; } = 0x037F;
    public uint StatusWord { get; init; }
    /// <summary>ST(0) first; null entries are empty registers (with <see cref="EmptyContents"/>).</summary>
    public required Float80?[] Stack { get; init; }
    public required Float80[] EmptyContents { get; init; }
    public byte[] Memory { get; init; } = [];
    public uint Eflags { get; init; } = 0x202;
    public uint[] Registers { get; init; } = new uint[8];
    public string Asm { get; init; } = "";
    public required IReadOnlyDictionary<string, string> Expected { get; init; }

    public const uint CodeBase = 0x1000;
    public const uint DataBase = 0x20000;
    public const int MemoryWindow = 64;
    public const ushort UserCs = 0x23, UserDs = 0x2B;

    public override string ToString() => Name;

    private static readonly string[] RegisterNames = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];

    public static X87Case Parse(string line)
    {
        string[] halves = line.Split(" => ");
        Dictionary<string, string> input = Fields(halves[0]);
        var stack = new List<Float80?>();
        var empty = new List<Float80>();
        if (input.TryGetValue("st", out string? st))
        {
            foreach (string v in st.Split(','))
            {
                if (v.StartsWith('E'))
                {
                    stack.Add(null);
                    empty.Add(v.Length > 1 ? Float80.Parse(v[1..]) : default);
                }
                else
                {
                    stack.Add(Float80.Parse(v));
                    empty.Add(default);
                }
            }
        }
        var regs = new uint[8];
        for (int i = 0; i < 8; i++)
            if (input.TryGetValue(RegisterNames[i], out string? r)) regs[i] = Hex(r);
        return new X87Case
        {
            Name = input["name"],
            Line = line,
            Code = Convert.FromHexString(input["code"]),
            ControlWord = input.TryGetValue("cw", out string? cw) ? Hex(cw) : 0x037F,
            StatusWord = input.TryGetValue("sw", out string? sw) ? Hex(sw) : 0,
            Stack = [.. stack],
            EmptyContents = [.. empty],
            Memory = input.TryGetValue("mem", out string? mem) ? Convert.FromHexString(mem) : [],
            Eflags = (input.TryGetValue("fl", out string? fl) ? Hex(fl) : 0x202) | 0x202,
            Registers = regs,
            Asm = input.TryGetValue("asm", out string? asm) ? asm.Replace('_', ' ') : "",
            Expected = Fields(halves[1]),
        };
    }

    private static Dictionary<string, string> Fields(string text)
    {
        var d = new Dictionary<string, string>();
        foreach (string token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = token.IndexOf('=');
            if (eq > 0) d[token[..eq]] = token[(eq + 1)..];
        }
        return d;
    }

    public static uint Hex(string s) => uint.Parse(s, NumberStyles.HexNumber);

    /// <summary>Loads the case's initial state into <paramref name="r"/> as the recorder's FRSTOR
    /// and register setup do (user-mode selectors, so FCS/FDS compare).</summary>
    public unsafe void Load(SnippetRunner r)
    {
        r.Reset();
        r.Ram.Slice((int)CodeBase, 0x1000).Clear();
        r.Ram.Slice((int)DataBase, 0x1000).Clear();
        Memory.CopyTo(r.Ram[(int)DataBase..]);
        CpuState* cpu = r.Cpu;
        for (int i = 0; i < 8; i++) cpu->Gpr[i] = Registers[i];
        cpu->Esp = SnippetRunner.StackTop - 4; // the recorder CALLs the snippet
        cpu->SetEflags(Eflags);
        cpu->Segment(SegReg.CS).Selector = UserCs;
        foreach (int seg in new[] { SegReg.DS, SegReg.ES, SegReg.SS }) cpu->Segment(seg).Selector = UserDs;
        cpu->Cr0 = 0x11;

        byte* s = (byte*)cpu;
        int depth = Stack.Length;
        int top = (8 - depth) & 7;
        FpuState.SetControlWord(s, ControlWord);
        FpuState.Fsw(s) = (StatusWord & ~FpuBits.TopMask) | (uint)top << FpuBits.TopShift;
        uint tags = 0;
        for (int i = 0; i < depth; i++)
        {
            int phys = (top + i) & 7;
            if (Stack[i] is { } v)
            {
                FpuState.Reg(s, phys) = v;
                tags |= 1u << phys;
            }
            else FpuState.Reg(s, phys) = EmptyContents[i];
        }
        FpuState.Tags(s) = tags;
    }

    /// <summary>Runs the case and returns what differs from the hardware (empty: nothing).</summary>
    public unsafe string Check(SnippetRunner r, bool approximate = false)
    {
        Load(r);
        byte[] code = (byte[])Code.Clone();
        code[^1] = 0xF4; // the recorder's RET becomes the runner's HLT
        r.RunBytes(code, maxBlocks: 1000);
        return Compare(r, code.Length, approximate);
    }

    /// <summary>Within one double-precision ulp of the hardware's value (same class, same sign).</summary>
    public static bool WithinDoubleUlp(Float80 a, Float80 b)
    {
        if (a == b) return true;
        if (a.IsNaN || b.IsNaN || a.IsInfinity || b.IsInfinity || a.IsUnsupported || b.IsUnsupported) return false;
        if (a.Sign != b.Sign && !(a.IsZero && b.IsZero)) return false;
        int ea = a.Exp == 0 ? 1 : a.Exp, eb = b.Exp == 0 ? 1 : b.Exp;
        int min = Math.Min(ea, eb);
        var va = new System.Numerics.BigInteger(a.Sig) << (ea - min);
        var vb = new System.Numerics.BigInteger(b.Sig) << (eb - min);
        var diff = System.Numerics.BigInteger.Abs(va - vb);
        // one double ulp of the larger magnitude: 2^11 units of its 64-bit significand
        int emax = Math.Max(ea, eb);
        var ulp = System.Numerics.BigInteger.One << (11 + emax - min);
        return diff <= ulp;
    }

    private unsafe string Compare(SnippetRunner r, int codeLength, bool approximate = false)
    {
        var problems = new StringBuilder();
        IReadOnlyDictionary<string, string> e = Expected;
        byte* s = (byte*)r.Cpu;
        bool faulted = e.ContainsKey("sig");
        int expectedFault = -1;
        if (faulted)
        {
            int trap = int.Parse(e["trap"]);
            expectedFault = trap;
            uint eip = Hex(e["eip"]);
            if (r.State.Eip != eip) problems.AppendLine($"eip = {r.State.Eip:x8}, hardware {eip:x8}");
        }
        else if (r.State.Eip != CodeBase + (uint)codeLength - 1)
        {
            problems.AppendLine($"eip = {r.State.Eip:x8}, hardware {CodeBase + (uint)codeLength - 1:x8} (the end)");
        }
        if (r.FaultVector != expectedFault) problems.AppendLine($"fault = {r.FaultVector}, hardware {expectedFault}");

        byte* env = stackalloc byte[28];
        FpuImages.StoreEnv(s, env, true);
        uint* w = (uint*)env;
        void Word(string key, uint actual, uint mask = 0xFFFF)
        {
            if (!e.TryGetValue(key, out string? text)) return;
            uint want = Hex(text);
            if (((actual ^ want) & mask) != 0) problems.AppendLine($"{key} = {actual & mask:x4}, hardware {want & mask:x4}");
        }
        Word("cw", w[0]);
        Word("sw", w[1], approximate ? 0xFDFFu : 0xFFFFu); // C1 (rounded up) depends on the last bit
        Word("tw", w[2]);
        if (!faulted)
        {
            Word("fip", w[3], 0xFFFF_FFFF);
            Word("fcs", w[4]);
            Word("fop", w[4] >> 16, 0x7FF);
            Word("fds", w[6]);
        }
        Word("fdp", w[5], 0xFFFF_FFFF);
        // The data files leave out trailing zero registers and trailing zero memory bytes.
        string[] st = [.. e["st"].Split(','), .. Enumerable.Repeat(new string('0', 20), 8)];
        int top = FpuState.Top(s);
        for (int i = 0; i < 8; i++)
        {
            Float80 mine = FpuState.Reg(s, (top + i) & 7);
            string actual = mine.ToString();
            if (actual == st[i] || (approximate && WithinDoubleUlp(mine, Float80.Parse(st[i])))) continue;
            problems.AppendLine($"st{i} = {actual}, hardware {st[i]}");
        }
        if (!faulted)
        {
            Word("eax", r.State.Eax, 0xFFFF_FFFF);
            Word("ecx", r.State.Ecx, 0xFFFF_FFFF);
            Word("edx", r.State.Edx, 0xFFFF_FFFF);
            Word("fl", r.State.GetEflags(), 0x8D5);
        }
        if (e.TryGetValue("mem", out string? mem))
        {
            string actual = Convert.ToHexString(r.Ram.Slice((int)DataBase, MemoryWindow)).ToLowerInvariant();
            string want = mem.PadRight(2 * MemoryWindow, '0');
            if (actual != want) problems.AppendLine($"mem = {actual}\n   hardware {want}");
        }
        return problems.ToString();
    }

    /// <summary>The cases of a data file (Fpu/Data/NAME.txt).</summary>
    public static IReadOnlyList<X87Case> ReadFile(string file) =>
        File.ReadLines(Path.Combine(DataDirectory, file + ".txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(Parse).ToArray();

    public static string DataDirectory { get; } = FindData();

    /// <summary>Fpu/Data, or the directory in TRANSMETA_X87_DATA (for long fuzz runs made with
    /// <c>Recorder/gen.py --count N --out DIR</c>).</summary>
    private static string FindData()
    {
        string? env = Environment.GetEnvironmentVariable("TRANSMETA_X87_DATA");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "Transmeta.Tests", "Fpu", "Data");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/Transmeta.Tests/Fpu/Data not found above " + AppContext.BaseDirectory);
    }
}
