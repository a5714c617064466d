using Iced.Intel;
using Transmeta.DiffTest;
using Transmeta.Frontend.Lifters;
using Transmeta.Frontend.Lifting;
using Transmeta.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Transmeta.Tests.Differential;

/// <summary>
/// The differential tester (tests/Transmeta.DiffTest) in the test suite: a fixed-seed batch of
/// random instruction sequences run natively on this host (tests/native-harness, built with
/// nasm and gcc -m32) and on every backend, with every general register, the EFLAGS bits the SDM
/// defines, the fault and the data buffer compared. Mismatches are reduced and printed as
/// assembly. 100,000 sequences per backend by default; TRANSMETA_DIFF_COUNT changes that for all
/// backends, TRANSMETA_DIFF_COUNT_&lt;BACKEND&gt; (e.g. TRANSMETA_DIFF_COUNT_IL) for one. Longer runs:
/// <c>dotnet run --project tests/Transmeta.DiffTest -c Release -- --seed S --count N</c>.
/// <para>Cost (2-core machine, CPU time per 100,000 sequences): generation 3-4 s, native 2 s,
/// interpreter 7 s, IL 85-100 s (the JIT: about 0.6 ms per compiled block). The x87 family (a
/// third of the sequences are mostly x87, the rest have an x87 instruction now and then) is part
/// of the same run: the FPU state goes in with FRSTOR and comes out with FNSAVE (see
/// tests/Transmeta.DiffTest/Engine/X87.cs and FpuImage.cs for what is masked); it costs about 7%
/// more CPU per sequence on IL than integer-only sequences. The LLVM backend compiles a block in
/// 10-20 ms, about 2,000 s per 100,000: each worker thread has its own LLVM compiler
/// (<see cref="DiffSession.PerThreadBackend"/>), so on two cores that is most of the suite's 18
/// minutes (the README says so).</para>
/// </summary>
[Trait("Category", "Differential")]
public class DifferentialTests(ITestOutputHelper output)
{
    public const ulong Seed = 20261126;

    public static int Count(string backend)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("TRANSMETA_DIFF_COUNT_" + backend.ToUpperInvariant()), out int n)) return n;
        if (int.TryParse(Environment.GetEnvironmentVariable("TRANSMETA_DIFF_COUNT"), out n)) return n;
        return 100_000;
    }

    /// <summary>Sequences generated (and run natively) once for every backend's test.</summary>
    private static int SharedCount => TestBackends.Names.Max(n => Count((string)n[0]));

    private static int Threads => Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>The sequences and the hardware's outcomes, shared by every backend's test.</summary>
    private sealed class Batch
    {
        public required NativeHarness Native { get; init; }
        public required List<CompiledSequence> Sequences { get; init; }
        public required Outcome[] Hardware { get; init; }
    }

    private static readonly Lazy<Batch> Shared = new(() =>
    {
        var native = NativeHarness.Start();
        var seqs = DiffSession.Generate(Seed, 0, SharedCount, Threads);
        return new Batch { Native = native, Sequences = seqs, Hardware = native.Run(seqs) };
    });

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void RandomSequencesMatchTheHardware(string backend)
    {
        Batch batch = Shared.Value;
        int count = Math.Min(Count(backend), batch.Sequences.Count);
        var seqs = batch.Sequences.GetRange(0, count);
        using var session = new DiffSession(batch.Native, DiffSession.PerThreadBackend);
        DiffSession.BackendResult result = session.RunBackend(backend, seqs, batch.Hardware, Threads);
        output.WriteLine($"{backend}: {result.Run} sequences in {result.Time.TotalSeconds:F1} s, {result.Mismatches.Count} mismatches");
        if (result.Mismatches.Count == 0) return;
        var reports = session.Report(backend, seqs, result.Mismatches, new HashSet<string>(), maxReports: 10);
        foreach (string r in reports) output.WriteLine(r);
        Assert.Fail($"{result.Mismatches.Count} of {result.Run} sequences differ from the hardware on {backend} "
            + $"(seed {Seed}); first indices {string.Join(", ", result.Mismatches.Take(10))}. Reduced:\n{string.Join("\n", reports)}");
    }

    [Fact]
    public void EverySupportedEncodingIsGeneratedOrExcludedWithAReason()
    {
        var uncovered = Families.Uncovered().ToList();
        Assert.True(uncovered.Count == 0, "lifted but never generated (add them to a family in Families.cs): "
            + string.Join(", ", uncovered));
    }

    [Fact]
    public void SequencesAreAFunctionOfSeedAndIndex()
    {
        var a = DiffSession.Generate(7, 1000, 50);
        var b = DiffSession.Generate(7, 1000, 50);
        var c = DiffSession.Generate(8, 1000, 50);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(a[i].Code, b[i].Code);
            Assert.Equal(a[i].Source.Init.Regs, b[i].Source.Init.Regs);
            Assert.Equal(a[i].Source.Init.Fpu, b[i].Source.Init.Fpu);
        }
        Assert.NotEqual(a.Select(s => Convert.ToHexString(s.Code)), c.Select(s => Convert.ToHexString(s.Code)));
    }

    [Fact]
    public void FlagMasksFollowTheSdm()
    {
        static uint Final(InitialState init, params Instruction[] insns)
        {
            var items = insns.Select(i => new Item("t").Add(i)).ToList();
            CompiledSequence? cs = FlagAnalysis.Compile(new Sequence { Init = init, Items = items }, out string? why);
            Assert.True(cs is not null, why);
            return cs!.FinalMask;
        }
        var init = new InitialState { Regs = [1, 2, 3, 4, Layout.StackLow, 6, 7, 8] };
        const uint all = Layout.ComparedFlags;
        const uint szap = 0x80 | 0x40 | 0x10 | 0x4;
        // MUL leaves SF ZF AF PF undefined; a later ADD defines them again.
        Assert.Equal(all & ~szap, Final(init, Instruction.Create(Code.Mul_rm32, Register.EBX)));
        Assert.Equal(all, Final(init, Instruction.Create(Code.Mul_rm32, Register.EBX), Instruction.Create(Code.Add_r32_rm32, Register.EAX, Register.EBX)));
        // SHL by 1: AF undefined; by 2: OF too; by 0: nothing changes.
        Assert.Equal(all & ~0x10u, Final(init, Instruction.Create(Code.Shl_rm32_imm8, Register.EAX, 1)));
        Assert.Equal(all & ~0x810u, Final(init, Instruction.Create(Code.Shl_rm32_imm8, Register.EAX, 2)));
        Assert.Equal(all, Final(init, Instruction.Create(Code.Shl_rm32_imm8, Register.EAX, 32)));
        // 8-bit SHL by 8 or more: CF undefined as well.
        Assert.Equal(all & ~0x811u, Final(init, Instruction.Create(Code.Shl_rm8_imm8, Register.AL, 9)));
        // DIV leaves all six undefined; a known-zero CL count keeps them undefined.
        var clZero = init.Clone();
        clZero.Regs[1] = 0x20;
        Assert.Equal(all & ~0x8D5u, Final(clZero, Instruction.Create(Code.Div_rm32, Register.EBX), Instruction.Create(Code.Shl_rm32_CL, Register.EAX, Register.CL)));
        // Reading an undefined flag is not a valid sequence.
        var bad = new List<Item> { new Item("t").Add(Instruction.Create(Code.Mul_rm32, Register.EBX)), new Item("t").Add(Instruction.Create(Code.Sete_rm8, Register.AL)) };
        Assert.Null(FlagAnalysis.Compile(new Sequence { Init = init, Items = bad }, out _));
    }

    [Fact]
    public void X87MasksFollowTheSdm()
    {
        static CompiledSequence? Compile(InitialState init, params Instruction[] insns) =>
            FlagAnalysis.Compile(new Sequence { Init = init, Items = insns.Select(i => new Item("t").Add(i)).ToList() }, out _);
        // Two registers full (TOP 6), C0..C3 set.
        var st = Enumerable.Repeat((0x8000_0000_0000_0000ul, (ushort)0x3FFF), 8).ToArray();
        var init = new InitialState { Regs = [1, 2, 3, 4, Layout.StackLow, 6, 7, 8], Fpu = FpuImage.Build(0x037F, 0x3000 | FpuImage.AllCc, 0x0FFF, st) };
        const uint c0c2c3 = FpuImage.C0 | FpuImage.C2 | FpuImage.C3;
        // FADD: C1 defined, C0 C2 C3 undefined; FCOM defines all four again.
        Assert.Equal(0xFFFFu & ~c0c2c3, Compile(init, Instruction.Create(Code.Fadd_st0_sti, Register.ST0, Register.ST1))!.FinalFpuMask);
        Assert.Equal(0xFFFFu, Compile(init, Instruction.Create(Code.Fadd_st0_sti, Register.ST0, Register.ST1), Instruction.Create(Code.Fcom_st0_sti, Register.ST0, Register.ST1))!.FinalFpuMask);
        // FNSTSW may not store undefined condition codes; after FXAM it may.
        Assert.Null(Compile(init, Instruction.Create(Code.Fld1), Instruction.Create(Code.Fnstsw_AX, Register.AX)));
        Assert.NotNull(Compile(init, Instruction.Create(Code.Fld1), Instruction.Create(Code.Fxam), Instruction.Create(Code.Fnstsw_AX, Register.AX)));
        // FSIN: its result register (physical 6, ST(0)) compared loosely, C1 undefined, and no
        // later instruction may compute with it (a move may).
        CompiledSequence sin = Compile(init, Instruction.Create(Code.Fsin))!;
        Assert.Equal(1u << (16 + 6), sin.FinalFpuMask & 0xFF_0000);
        Assert.Equal(0u, sin.FinalFpuMask & FpuImage.C1);
        Assert.Null(Compile(init, Instruction.Create(Code.Fsin), Instruction.Create(Code.Fadd_st0_sti, Register.ST0, Register.ST1)));
        CompiledSequence moved = Compile(init, Instruction.Create(Code.Fsin), Instruction.Create(Code.Fxch_st0_sti, Register.ST0, Register.ST1))!;
        Assert.Equal(3u << (16 + 6), moved.FinalFpuMask & 0xFF_0000);
    }

    [Fact]
    public void X87TranscendentalTolerance()
    {
        var one = (0x8000_0000_0000_0000ul, (ushort)0x3FFF);
        Assert.True(FpuImage.Close(one, (0x8000_0000_0000_0FFFul, (ushort)0x3FFF)));    // < 1 double ulp
        Assert.True(FpuImage.Close(one, (0xFFFF_FFFF_FFFF_F800ul, (ushort)0x3FFE)));    // just below, 1 double ulp
        Assert.False(FpuImage.Close(one, (0x8000_0000_0000_3000ul, (ushort)0x3FFF)));   // 6 double ulps
        Assert.False(FpuImage.Close(one, (0x8000_0000_0000_0000ul, (ushort)0xBFFF)));   // sign
        Assert.False(FpuImage.Close((0xC000_0000_0000_0000ul, (ushort)0xFFFF), (0xC000_0000_0000_0001ul, (ushort)0xFFFF))); // NaNs exact
    }

    /// <summary>Mismatches the tester found in x87 stores whose fault must come before any
    /// write (reduced by hand to one instruction each), run natively and on the backend.</summary>
    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void ReducedX87StoreFaultsStayFixed(string backend)
    {
        static MemoryOperand At(uint address) => new(Register.None, Register.None, 1, (int)address, 4, false, Register.None);
        var one = (0x8000_0000_0000_0000ul, (ushort)0x3FFF);
        var big = (0x8000_0000_0000_0000ul, (ushort)0x403E);   // 2^63: FISTP m16 is invalid
        var empty = (0ul, (ushort)0);
        byte[] Fpu(uint cw, (ulong, ushort) st0, bool full) =>
            FpuImage.Build(cw, 0x3800, full ? 0x3FFFu : 0xFFFFu, [st0, empty, empty, empty, empty, empty, empty, empty]);
        var cases = new (string Name, byte[] Fpu, Instruction Insn)[]
        {
            ("fstp m80 across the end of the buffer", Fpu(0x037F, one, true), Instruction.Create(Code.Fstp_m80fp, At(Layout.DataEnd - 5))),
            ("fstp m64 across the end of the buffer", Fpu(0x037F, one, true), Instruction.Create(Code.Fstp_m64fp, At(Layout.DataEnd - 6))),
            ("fistp m16, unmasked invalid, unmapped: #PF first", Fpu(0x037E, big, true), Instruction.Create(Code.Fistp_m16int, At(Layout.DataEnd + 0x20))),
            ("fbstp, empty ST(0), unmasked invalid, unmapped: #PF first", Fpu(0x037E, empty, false), Instruction.Create(Code.Fbstp_m80bcd, At(Layout.DataBase - 0x38))),
            ("fnstenv across the end of the buffer", Fpu(0x037F, one, true), Instruction.Create(Code.Fnstenv_m28byte, At(Layout.DataEnd - 14))),
            ("fnsave across the end of the buffer", Fpu(0x037F, one, true), Instruction.Create(Code.Fnsave_m108byte, At(Layout.DataEnd - 0x38))),
        };
        using var native = NativeHarness.Start();
        using var runner = new TransmetaRunner(TestBackends.Create(backend), native.Selectors);
        var failures = new List<string>();
        foreach (var (name, fpu, insn) in cases)
        {
            var init = new InitialState { Regs = [0, 0, 0, 0, Layout.StackLow, 0, 0, 0], Fpu = fpu, MemorySeed = 5 };
            CompiledSequence? seq = FlagAnalysis.Compile(new Sequence { Init = init, Items = [new Item("x87").Add(insn)] }, out string? why);
            Assert.True(seq is not null, $"{name}: {why}");
            Outcome hw = native.Run(seq!, wantMemory: true), tm = runner.Run(seq!, wantMemory: true);
            Assert.NotEqual(-1, hw.Trap);
            var diffs = Comparison.Differences(seq!, hw, tm, out _);
            if (diffs.Count > 0) failures.Add($"{name}: {string.Join("; ", diffs)}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>FXSAVE images: bytes 160..463 (XMM registers, reserved) are not compared and may
    /// not be read afterwards; the rest is. FXSAVE stores the condition codes: they must be defined.</summary>
    [Fact]
    public void FxsaveMasksOnlyItsXmmAndReservedAreas()
    {
        static MemoryOperand At(uint address) => new(Register.None, Register.None, 1, (int)address, 4, false, Register.None);
        static CompiledSequence? Compile(params Instruction[] insns) => FlagAnalysis.Compile(new Sequence
        {
            Init = new InitialState { Regs = [1, 2, 3, 4, Layout.StackLow, 6, 7, 8] },
            Items = insns.Select(i => new Item("t").Add(i)).ToList(),
        }, out _);
        const uint ea = Layout.DataBase + 0x100;
        Instruction fxsave = Instruction.Create(Code.Fxsave_m512byte, At(ea));
        CompiledSequence? cs = Compile(fxsave);
        Assert.NotNull(cs);
        Assert.Equal([(ea + 160, ea + 464)], cs!.MaskedMemory);
        Assert.True(cs.Compared(ea + 159) && cs.Compared(ea + 464) && !cs.Compared(ea + 160) && !cs.Compared(ea + 463));
        Assert.Null(Compile(fxsave, Instruction.Create(Code.Mov_r32_rm32, Register.EAX, At(ea + 200))));
        Assert.Null(Compile(fxsave, Instruction.Create(Code.Mov_r32_rm32, Register.EAX, At(ea + 158))));
        Assert.NotNull(Compile(fxsave, Instruction.Create(Code.Mov_r32_rm32, Register.EAX, At(ea + 464))));
        Assert.NotNull(Compile(fxsave, Instruction.Create(Code.Mov_rm32_r32, At(ea + 200), Register.EAX)));
        // FXRSTOR loads x87 state from the first 160 bytes only.
        Assert.NotNull(Compile(fxsave, Instruction.Create(Code.Fxrstor_m512byte, At(ea))));
        Assert.Null(Compile(fxsave, Instruction.Create(Code.Fxrstor_m512byte, At(ea + 0x40))));
        // FLD leaves C0 C2 C3 undefined; FXAM defines them.
        Assert.Null(Compile(Instruction.Create(Code.Fld1), fxsave));
        Assert.NotNull(Compile(Instruction.Create(Code.Fld1), Instruction.Create(Code.Fxam), fxsave));
    }

    /// <summary>FXSAVE and FXRSTOR natively and on the backend: a round trip, a load of the
    /// buffer's random bytes (with a valid MXCSR and exceptions masked), #GP for a misaligned image and #PF for one
    /// across the start of the buffer. The hardware's XMM area differs (the harness zeroes the
    /// XMM registers, Transmeta writes nothing there): only the mask makes the runs equal.</summary>
    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void FxsaveAndFxrstorMatchTheHardware(string backend)
    {
        static MemoryOperand At(uint address) => new(Register.None, Register.None, 1, (int)address, 4, false, Register.None);
        const uint ea = Layout.DataBase + 0x200;
        Instruction Fxsave(uint a) => Instruction.Create(Code.Fxsave_m512byte, At(a));
        Instruction Fxrstor(uint a) => Instruction.Create(Code.Fxrstor_m512byte, At(a));
        Instruction Mxcsr(uint a) => Instruction.Create(Code.Mov_rm32_imm32, At(a + 24), 0x1F80u);
        var st = Enumerable.Range(0, 8).Select(i => (0xC000_0000_0000_0000ul | (uint)i, (ushort)(0x3FFF + i))).ToArray();
        byte[] fpu = FpuImage.Build(0x027F, 0x3000 | FpuImage.C3, 0x0FFF, st); // TOP 6, two registers full
        var cases = new (string Name, int Trap, Instruction[] Insns)[]
        {
            ("fxsave", -1, [Fxsave(ea)]),
            ("fxsave, fxrstor, fadd", -1, [Fxsave(ea), Instruction.Create(Code.Fninit), Fxrstor(ea), Instruction.Create(Code.Fadd_st0_sti, Register.ST0, Register.ST1)]),
            ("fxrstor of random bytes, fxsave", -1, [Mxcsr(ea), Instruction.Create(Code.Mov_rm16_imm16, At(ea), 0x037Fu), Fxrstor(ea),
                Instruction.Create(Code.Fxam), Fxsave(ea + 0x400)]),
            ("misaligned fxsave", 13, [Fxsave(ea + 8)]),
            ("fxrstor across the start of the buffer", 14, [Fxrstor(Layout.DataBase - 0x40)]),
        };
        using var native = NativeHarness.Start();
        using var runner = new TransmetaRunner(TestBackends.Create(backend), native.Selectors);
        var failures = new List<string>();
        foreach (var (name, trap, insns) in cases)
        {
            var init = new InitialState { Regs = [0, 0, 0, 0, Layout.StackLow, 0, 0, 0], Fpu = fpu, MemorySeed = 5 };
            CompiledSequence? seq = FlagAnalysis.Compile(new Sequence { Init = init, Items = insns.Select(i => new Item("x87").Add(i)).ToList() }, out string? why);
            Assert.True(seq is not null, $"{name}: {why}");
            Outcome hw = native.Run(seq!), tm = runner.Run(seq!);
            Assert.Equal(trap, hw.Trap);
            var diffs = Comparison.Differences(seq!, hw, tm, out _);
            if (diffs.Count > 0) failures.Add($"{name}: {string.Join("; ", diffs)}");
            if (trap == -1)
                Assert.False(hw.Memory.AsSpan().SequenceEqual(tm.Memory), $"{name}: the XMM area should differ");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The same for the x87 part: with an FCHS that does nothing, the tester finds it.</summary>
    [Fact]
    public void FindsAnInjectedX87Bug() => AssertFindsInjectedBug(Mnemonic.Fchs, "fchs");

    /// <summary>The tester must find a bug: with a BSWAP lifter that does nothing, some sequences
    /// differ, and reduction brings one down to the BSWAP itself.</summary>
    [Fact]
    public void FindsAndReducesAnInjectedLifterBug() => AssertFindsInjectedBug(Mnemonic.Bswap, "bswap");

    /// <summary>Replaces <paramref name="mnemonic"/>'s lifter with one that does nothing and checks
    /// that the tester finds mismatches only in sequences that use it, and reports one with the
    /// instruction in its listing.</summary>
    private void AssertFindsInjectedBug(Mnemonic mnemonic, string listed)
    {
        var broken = new LifterTable();
        foreach (Mnemonic m in Enum.GetValues<Mnemonic>())
            if (AllLifters.Table.Find(m) is { } lifter && m != mnemonic) broken.Add(m, lifter);
        broken.Add(mnemonic, _ => { });

        Batch batch = Shared.Value;
        int n = Math.Min(5000, batch.Sequences.Count);
        var seqs = batch.Sequences.Take(n).ToList();
        using var session = new DiffSession(batch.Native, TestBackends.Create, lifters: broken);
        DiffSession.BackendResult result = session.RunBackend("interp", seqs, batch.Hardware.Take(n).ToArray());
        Assert.NotEmpty(result.Mismatches);
        Assert.All(result.Mismatches, i => Assert.Contains(seqs[i].Source.Flat, insn => insn.Mnemonic == mnemonic));
        string report = session.Report("interp", seqs, result.Mismatches.Take(1), new HashSet<string>(), 1)[0];
        output.WriteLine(report);
        Assert.Contains(listed, report);
    }
}
