using Iced.Intel;
using Transmeta.Frontend.Fpu;
using Transmeta.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Fpu;

/// <summary>
/// The x87 inline paths assume what the CPU had when the block was translated (TOP, the control
/// word 037F) and leave with BlockExit.Slow when that no longer holds; the instruction then runs
/// from an unspecialized translation. These run a block under one assumption and enter it
/// again under another, on every backend, and check exact results against values worked out
/// by hand (and the hardware cases of X87HardwareTests run through the same runner).
/// </summary>
public sealed unsafe class X87InlineTests
{
    private const uint Data = SnippetRunner.DataBase;

    public static IEnumerable<object[]> Backends => TestBackends.Names;

    private static byte* Fpu(SnippetRunner r) => (byte*)r.Cpu;

    /// <summary>F doubles ST(0) through a push and a pop: inline FADD, FLD ST(0), FADDP.</summary>
    private static void DoubleTwice(Assembler a, Label f)
    {
        a.Label(ref f);
        a.fadd(st0, st0);
        a.fld(st0);
        a.faddp(st1, st0);
        a.ret();
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ABlockEnteredWithAnotherTopLeavesAndRunsRight(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            Label f = a.CreateLabel(), done = a.CreateLabel();
            a.fninit();
            a.fld1();                   // TOP 7
            a.call(f);                  // F translated for TOP 7: ST(0) = 4
            a.fld1();                   // TOP 6
            a.call(f);                  // F entered with TOP 6: its check fails, ST(0) = 4 all the same
            a.fstp(__qword_ptr[Data]);
            a.fstp(__qword_ptr[Data + 8]);
            a.jmp(done);
            DoubleTwice(a, f);
            a.Label(ref done);
        });
        Assert.Equal(-1, r.FaultVector);
        Assert.Equal(0x4010_0000u, r.Read32(Data + 4)); // 4.0
        Assert.Equal(0x4010_0000u, r.Read32(Data + 12));
        Assert.Equal(0, FpuState.Top(Fpu(r)));
        Assert.Equal(0u, FpuState.Tags(Fpu(r)));
        Assert.True(r.SlowExits >= 1, "the second entry should have left the specialized block");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void AnotherRoundingModeLeavesTheInlinePath(string backend)
    {
        // (1 + 2^-63)^2 = 1 + 2^-62 + 2^-126: to nearest 8000000000000002, up 8000000000000003.
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Write32(Data, 1);                 // significand 8000000000000001
        r.Write32(Data + 4, 0x8000_0000);
        r.Write32(Data + 8, 0x3FFF);        // exponent 0: 1 + 2^-63
        r.Write32(Data + 0x40, 0x0B7F);     // control word: round up
        r.Run(a =>
        {
            Label f = a.CreateLabel(), done = a.CreateLabel();
            a.fninit();
            a.call(f);                                  // F translated under 037F
            a.fstp(__tword_ptr[Data + 0x20]);
            a.fldcw(__word_ptr[Data + 0x40]);           // round up
            a.call(f);                                  // its inline FMUL must not run now
            a.fstp(__tword_ptr[Data + 0x30]);
            a.jmp(done);
            a.Label(ref f);
            a.fld(__tword_ptr[Data]);
            a.fld(st0);
            a.fmul(st0, st1);
            a.fstp(st1);
            a.ret();
            a.Label(ref done);
        });
        Assert.Equal(-1, r.FaultVector);
        Assert.Equal(2u, r.Read32(Data + 0x20));
        Assert.Equal(0x8000_0000u, r.Read32(Data + 0x24));
        Assert.Equal(0x3FFFu, r.Read32(Data + 0x28) & 0xFFFF);
        Assert.Equal(3u, r.Read32(Data + 0x30));
        Assert.Equal(0x8000_0000u, r.Read32(Data + 0x34));
        Assert.Equal(0x3FFFu, r.Read32(Data + 0x38) & 0xFFFF);
        Assert.True(r.SlowExits >= 1);
    }

    /// <summary>
    /// Registers carried around a loop: FADD writes a whole register, FCHS only its sign, FXCH
    /// moves two. The LLVM backend keeps such registers as host extended values across the
    /// iterations and writes them back at the exit; the register file must then hold exactly what
    /// the interpreter leaves, the two bytes after each 80-bit value included.
    /// </summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void RegistersCarriedAroundALoopAreWrittenBackExactly(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            Label loop = a.CreateLabel();
            a.fninit();
            a.fld1();               // R7 = 1
            a.fldz();               // R6 = 0; ST0 = 0, ST1 = 1
            a.mov(ecx, 5);
            a.Label(ref loop);      // (x, y) -> (y, -(x + y)): (1, -1) (-1, -0) (-0, 1) (1, -1) (-1, -0)
            a.fadd(st0, st1);
            a.fchs();
            a.fxch(st0, st1);
            a.dec(ecx);
            a.jnz(loop);
            a.fst(__qword_ptr[Data]);
            a.fxch(st0, st1);
            a.fst(__qword_ptr[Data + 8]);
            a.fxch(st0, st1);
        });
        Assert.Equal(-1, r.FaultVector);
        Assert.Equal(0xBFF0_0000_0000_0000UL, (ulong)r.Read32(Data) | (ulong)r.Read32(Data + 4) << 32);     // -1
        Assert.Equal(0x8000_0000_0000_0000UL, (ulong)r.Read32(Data + 8) | (ulong)r.Read32(Data + 12) << 32); // -0
        Assert.Equal(6, FpuState.Top(Fpu(r)));
        // Physical registers: R6 = ST0 = -1, R7 = ST1 = -0, 16 bytes each.
        byte[] R(int i) => new ReadOnlySpan<byte>(Fpu(r) + FpuState.OffRegs + i * FpuState.RegSize, FpuState.RegSize).ToArray();
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xFF, 0xBF, 0, 0, 0, 0, 0, 0 }, R(6));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0 }, R(7));
    }

    /// <summary>
    /// A register popped earlier in the block, then read: stack underflow (IE and SF, the
    /// default NaN), although the register was full when the block was entered. The block's
    /// stack check at its TOP guard tests the tags as they were on entry, so a requirement the
    /// block itself has made false must keep an exit of its own (found by the differential
    /// tester: FSTP ST(2), FDIV ST(7), ST(0)).
    /// </summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void AnOperandPoppedEarlierInTheBlockUnderflows(string backend)
    {
        using var r = new SnippetRunner(TestBackends.Create(backend));
        r.Run(a =>
        {
            Label next = a.CreateLabel();
            a.fninit();
            a.fld1();                       // R7
            a.fld1();                       // R6; TOP 6
            a.jmp(next);                    // the rest is a block of its own, entered with R6 and R7 full
            a.Label(ref next);
            a.fstp(st0);                    // pops R6: TOP 7, R6 empty
            a.fadd(st0, st7);               // ST(7) is R6: underflow
            a.fstp(__qword_ptr[Data]);
        });
        Assert.Equal(-1, r.FaultVector);
        Assert.Equal(0u, r.Read32(Data));
        Assert.Equal(0xFFF8_0000u, r.Read32(Data + 4));  // the default NaN
        Assert.Equal(FpuBits.IE | FpuBits.SF, FpuState.Fsw(Fpu(r)) & (FpuBits.IE | FpuBits.SF));
    }
}
