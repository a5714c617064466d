using Iced.Intel;
using Transmeta.Frontend.Fpu;
using Transmeta.Frontend.State;
using Transmeta.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Fpu;

/// <summary>
/// #NM (CR0.EM/TS/MP, which a user-mode recorder cannot set) and #MF (also covered by the
/// hardware recordings in Data/edge.txt: pending_*), and precise faults: a faulting memory
/// operand leaves the FPU exactly as it was.
/// </summary>
public unsafe class X87ExceptionTests
{
    private const uint Mp = 1u << 1, Em = 1u << 2, Ts = 1u << 3;
    private const uint Data = SnippetRunner.DataBase;
    private const uint Unmapped = 0x200000; // outside the runner's 1 MiB: a page fault

    public static IEnumerable<object[]> Backends => TestBackends.Names;

    private static SnippetRunner Runner(string backend, uint cr0 = 0x11)
    {
        var r = new SnippetRunner(TestBackends.Create(backend));
        r.Cpu->Cr0 = cr0;
        return r;
    }

    private static byte* Fpu(SnippetRunner r) => (byte*)r.Cpu;

    [Theory]
    [MemberData(nameof(Backends))]
    public void DeviceNotAvailableWhenEmOrTs(string backend)
    {
        foreach (uint cr0 in new[] { 0x11 | Em, 0x11 | Ts, 0x11 | Em | Ts, 0x11 | Ts | Mp, 0x11 | Em | Mp })
        {
            using SnippetRunner r = Runner(backend, cr0);
            r.Run(a =>
            {
                a.mov(eax, 7);
                a.fld1();          // #NM here: EAX is already 7, nothing of FLD1 happened
                a.mov(eax, 8);
            });
            Assert.Equal(ExceptionVectors.DeviceNotAvailable, r.FaultVector);
            Assert.Equal(SnippetRunner.CodeBase + 5, r.State.Eip);
            Assert.Equal(7u, r.State.Eax);
            Assert.Equal(0, FpuState.Top(Fpu(r)));
            Assert.Equal(0u, FpuState.Tags(Fpu(r)));
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void NoDeviceNotAvailableWithMpAlone(string backend)
    {
        using SnippetRunner r = Runner(backend, 0x11 | Mp);
        r.Run(a =>
        {
            a.fld1();
            a.wait();
            a.fstp(__qword_ptr[Data]);
        });
        Assert.Equal(-1, r.FaultVector);
        Assert.Equal(0x3FF0_0000u, r.Read32(Data + 4));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void WaitFaultsOnlyWithMpAndTs(string backend)
    {
        // WAIT/FWAIT ignores EM and faults on TS only when MP is set (Intel SDM Vol. 3A Table 2-2).
        foreach ((uint cr0, int expected) in new[] { (0x11 | Ts, -1), (0x11 | Em, -1), (0x11 | Ts | Mp, 7), (0x11 | Em | Ts | Mp, 7) })
        {
            using SnippetRunner r = Runner(backend, cr0);
            r.Run(a =>
            {
                a.mov(eax, 1);
                a.wait();
                a.mov(eax, 2);
            });
            Assert.Equal(expected, r.FaultVector);
            Assert.Equal(expected < 0 ? 2u : 1u, r.State.Eax);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void DeviceNotAvailableOnLaterFpuInstructionOfABlock(string backend)
    {
        // The CR0 test is emitted once per block; the block is retranslated-free: clearing TS and
        // running it again must not fault, and setting TS again must fault again.
        using SnippetRunner r = Runner(backend, 0x11 | Ts);
        Action<Assembler> code = a =>
        {
            a.mov(ecx, 3);
            a.fld1();
            a.fld1();
            a.faddp(st1, st0);
            a.fstp(__qword_ptr[Data]);
        };
        r.Run(code);
        Assert.Equal(ExceptionVectors.DeviceNotAvailable, r.FaultVector);
        Assert.Equal(SnippetRunner.CodeBase + 5, r.State.Eip);
        r.Cpu->Cr0 = 0x11;
        r.Continue(); // (SnippetRunner keeps the old FaultVector: check the effects instead)
        Assert.Equal(0x4000_0000u, r.Read32(Data + 4)); // 2.0
        Assert.Equal(0, FpuState.Top(Fpu(r)));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void UnmaskedExceptionRaisesMathFaultAtTheNextWaitingInstruction(string backend)
    {
        using SnippetRunner r = Runner(backend);
        r.Write32(Data, 0x037B); // ZE unmasked
        uint faultAt = 0;
        r.Run(a =>
        {
            a.fldcw(__word_ptr[Data]);
            a.fld1();
            a.fldz();
            a.fdivp(st1, st0);          // ZE: sets ES and B, no fault yet, nothing written or popped
            a.fnstsw(ax);               // non-waiting: no fault
            a.mov(ebx, 5);
            var here = a.CreateLabel();
            a.Label(ref here);
            a.fld1();                   // waiting: #MF here
            a.mov(ebx, 6);
        });
        faultAt = r.State.Eip;
        Assert.Equal(ExceptionVectors.FloatingPoint, r.FaultVector);
        Assert.Equal(5u, r.State.Ebx);
        Assert.Equal(0xB084u & 0xFFFF, r.State.Eax & 0xFFFF); // B ES ZE, TOP = 6
        uint fsw = FpuState.Fsw(Fpu(r));
        Assert.Equal(0xB084u, fsw);
        Assert.Equal(6, FpuState.Top(Fpu(r)));
        // The #MF handler's FNCLEX clears the condition; the instruction then runs.
        byte* s = Fpu(r);
        FpuState.Fsw(s) &= ~(FpuBits.Exceptions | FpuBits.ES | FpuBits.B);
        r.Continue();
        Assert.Equal(6u, r.State.Ebx);
        Assert.Equal(5, FpuState.Top(Fpu(r)));
        Assert.True(faultAt > SnippetRunner.CodeBase);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void MaskedExceptionsNeverFault(string backend)
    {
        using SnippetRunner r = Runner(backend);
        r.Run(a =>
        {
            a.fld1();
            a.fldz();
            a.fdivp(st1, st0);   // +inf, ZE set, masked
            a.fld1();
            a.fchs();
            a.fsqrt();           // indefinite, IE set, masked
            a.wait();
            a.fnstsw(ax);
        });
        Assert.Equal(-1, r.FaultVector);
        Assert.Equal(0x3005u, r.State.Eax & 0xFFFF);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void FaultingStoreLeavesTheFpuUnchanged(string backend)
    {
        using SnippetRunner r = Runner(backend);
        r.Run(a =>
        {
            a.fldpi();
            a.fld1();
            a.mov(ebx, Unmapped);
            a.fstp(__qword_ptr[ebx]);
        });
        Assert.Equal(ExceptionVectors.PageFault, r.FaultVector);
        byte* s = Fpu(r);
        Assert.Equal(6, FpuState.Top(s));
        Assert.Equal(0xC0u, FpuState.Tags(s));
        Assert.Equal(Float80.One, FpuState.Reg(s, 6));
        // FIP still names FLD1, the last instruction that completed.
        Assert.Equal(SnippetRunner.CodeBase + 2, *(uint*)(s + FpuState.OffFip));
    }

    /// <summary>A store of an inexact value that faults, here on the second of the two pages it
    /// spans, raises nothing: PE stays clear (found by the differential tester, seed 145).</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public void FaultingStoreAcrossPagesRaisesNothing(string backend)
    {
        foreach (bool isDouble in new[] { false, true })
        {
            using SnippetRunner r = Runner(backend);
            r.Run(a =>
            {
                a.fldpi(); // inexact in binary32 and binary64
                a.mov(ebx, 0x100000 - (isDouble ? 4 : 2)); // the runner's RAM ends at 1 MiB
                if (isDouble) a.fst(__qword_ptr[ebx]);
                else a.fst(__dword_ptr[ebx]);
            });
            Assert.Equal(ExceptionVectors.PageFault, r.FaultVector);
            Assert.Equal(0u, FpuState.Fsw(Fpu(r)) & FpuBits.Exceptions);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void FaultingLoadsAndImagesLeaveTheFpuUnchanged(string backend)
    {
        foreach (Action<Assembler> op in new Action<Assembler>[]
        {
            a => a.fld(__qword_ptr[ebx]),
            a => a.fadd(__dword_ptr[ebx]),
            a => a.fild(__qword_ptr[ebx - 4]),
            a => a.fld(__tword_ptr[ebx - 8]),       // the second access faults
            a => a.fnsave(__[ebx - 16]),             // the end of the image faults: no FNINIT
            a => a.frstor(__[ebx - 16]),
            a => a.fxsave(__[ebx - 16]),
            a => a.fxrstor(__[ebx - 16]),
            a => a.fldenv(__[ebx - 16]),
        })
        {
            using SnippetRunner r = Runner(backend);
            r.Run(a =>
            {
                a.fldpi();
                a.mov(ebx, SnippetRunner.RamSize);
                op(a);
            });
            Assert.Equal(ExceptionVectors.PageFault, r.FaultVector);
            byte* s = Fpu(r);
            Assert.Equal(7, FpuState.Top(s));
            Assert.Equal(0x80u, FpuState.Tags(s));
            Assert.Equal(FpuState.DefaultControlWord, FpuState.ControlWord(s));
            Assert.Equal(0x3800u, FpuState.Fsw(s));
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void FaultInASequenceIsPrecise(string backend)
    {
        // FLD1, FLDPI, FADD m64 (faults), FLD1 in one block: the page fault is reported at the
        // FADD, with the two loads done and nothing after them.
        using SnippetRunner r = Runner(backend);
        r.Run(a =>
        {
            a.mov(ebx, Unmapped);
            a.fld1();
            a.fldpi();
            a.fadd(__qword_ptr[ebx + 8]);
            a.fld1();
        });
        Assert.Equal(ExceptionVectors.PageFault, r.FaultVector);
        Assert.Equal(SnippetRunner.CodeBase + 9, r.State.Eip);
        byte* s = Fpu(r);
        Assert.Equal(6, FpuState.Top(s));
        Assert.Equal(0xC0u, FpuState.Tags(s));
        Assert.Equal("4000c90fdaa22168c235", FpuState.Reg(s, 6).ToString());
        Assert.Equal(SnippetRunner.CodeBase + 7, *(uint*)(s + FpuState.OffFip)); // FLDPI
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void FxsaveNeedsSixteenByteAlignment(string backend)
    {
        using SnippetRunner r = Runner(backend);
        r.Run(a => a.fxsave(__[Data + 8]));
        Assert.Equal(ExceptionVectors.GeneralProtection, r.FaultVector);
        Assert.Equal(0u, r.State.FaultErrorCode);
        Assert.Equal(1u, r.State.FaultHasError);
    }
}
