using System.Text;
using Iced.Intel;
using Transmeta.Frontend.State;
using Transmeta.Tests.Support;
using Xunit;

namespace Transmeta.Tests.Frontend;

/// <summary>
/// A snippet whose expected outcome was recorded on real hardware: the same bytes Iced
/// assembles here (at <see cref="SnippetRunner.CodeBase"/>, without the final HLT) were run
/// natively as an i386 Linux process on the development host (an AMD EPYC), with guest RAM
/// mapped at the same addresses (0x1000..0x100000), every general register 0, ESP =
/// <see cref="SnippetRunner.StackTop"/>, EFLAGS = 0x202, and FS (when <see cref="FsBase"/> is set)
/// an LDT data segment with that base. The recorder (a small C/nasm harness) printed the
/// registers, EFLAGS, the fault (trap number from the signal context) and every nonzero dword
/// of RAM from 0x2000 up; <see cref="NativeResult"/> literals are its output.
/// </summary>
public sealed record NativeCase(string Name, Action<Assembler> Code)
{
    /// <summary>EFLAGS bits compared (the ones the SDM defines for the instructions used).</summary>
    public uint FlagsMask { get; init; } = NativeOracle.StatusFlags;
    public uint FsBase { get; init; }
    public override string ToString() => Name;
}

/// <summary>The host's outcome: EAX..EDI (Iced order), EFLAGS, fault vector (-1 for none) with
/// EIP (the faulting instruction, or where the HLT is), nonzero RAM dwords as (address, value) pairs.</summary>
public sealed record NativeResult(uint[] Regs, uint Eflags, int Fault, uint Eip, uint[] Memory);

public static class NativeOracle
{
    /// <summary>CF PF AF ZF SF OF and DF.</summary>
    public const uint StatusFlags = 0xCD5;
    /// <summary>CF PF AF ZF SF OF.</summary>
    public const uint ArithmeticFlags = 0x8D5;
    public const uint MemoryStart = 0x2000;

    /// <summary>Theory rows: every backend × every case name.</summary>
    public static IEnumerable<object[]> Matrix(IEnumerable<NativeCase> cases)
    {
        foreach (object[] backend in TestBackends.Names)
            foreach (NativeCase c in cases)
                yield return new object[] { backend[0], c.Name };
    }

    /// <summary>Runs the case on <paramref name="backend"/>, with and without the IR passes, and
    /// compares registers, the masked flags, the fault and every RAM dword with the recording.</summary>
    public static void Check(string backend, IEnumerable<NativeCase> cases, IReadOnlyDictionary<string, NativeResult> recorded, string name)
    {
        NativeCase c = cases.Single(x => x.Name == name);
        Assert.True(recorded.TryGetValue(name, out NativeResult? expected), $"no hardware recording for {name}");
        string problems = Compare(backend, c, expected!, optimize: true) + Compare(backend, c, expected!, optimize: false);
        Assert.True(problems.Length == 0, $"{name} on {backend}:\n{problems}");
    }

    private static unsafe string Compare(string backend, NativeCase c, NativeResult expected, bool optimize)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend), optimize);
        r.State.SetEflags(0x202);
        if (c.FsBase != 0) r.State.Segment(SegReg.FS).Base = c.FsBase;
        r.Run(c.Code);

        var problems = new StringBuilder();
        string[] names = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
        for (int i = 0; i < 8; i++)
            if (r.Cpu->Gpr[i] != expected.Regs[i])
                problems.AppendLine($"{names[i]} = {r.Cpu->Gpr[i]:x8}, hardware {expected.Regs[i]:x8}");
        uint flags = r.State.GetEflags();
        if (((flags ^ expected.Eflags) & c.FlagsMask) != 0)
            problems.AppendLine($"eflags = {flags:x8}, hardware {expected.Eflags:x8} (compared bits {c.FlagsMask:x})");
        if (r.FaultVector != expected.Fault)
            problems.AppendLine($"fault = {r.FaultVector}, hardware {expected.Fault}");
        if (r.State.Eip != expected.Eip)
            problems.AppendLine($"eip = {r.State.Eip:x8}, hardware {expected.Eip:x8}");

        var want = new Dictionary<uint, uint>();
        for (int i = 0; i < expected.Memory.Length; i += 2) want[expected.Memory[i]] = expected.Memory[i + 1];
        for (uint a = MemoryStart; a < SnippetRunner.RamSize; a += 4)
        {
            uint v = r.Read32(a);
            want.TryGetValue(a, out uint w);
            if (v != w) problems.AppendLine($"[{a:x8}] = {v:x8}, hardware {w:x8}");
        }
        if (problems.Length > 0) problems.Insert(0, optimize ? "with IR passes:\n" : "without IR passes:\n");
        return problems.ToString();
    }

    /// <summary>The bytes of a case as the runner assembles them, without the final HLT (for the recorder).</summary>
    public static byte[] Assemble(Action<Assembler> code)
    {
        var asm = new Assembler(32);
        code(asm);
        var stream = new MemoryStream();
        asm.Assemble(new StreamCodeWriter(stream), SnippetRunner.CodeBase);
        return stream.ToArray();
    }
}
