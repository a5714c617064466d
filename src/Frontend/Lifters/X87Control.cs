using Iced.Intel;
using Transmeta.Frontend.Fpu;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;
using static Transmeta.Frontend.Fpu.X87Desc;

namespace Transmeta.Frontend.Lifters;

/// <summary>
/// x87 control instructions (they leave the last-instruction pointers alone): FNINIT FNCLEX
/// FLDCW FNSTCW FNSTSW FNSTENV FLDENV FNSAVE FRSTOR FXSAVE FXRSTOR WAIT, the waiting forms
/// Iced decodes as one instruction (FINIT = WAIT + FNINIT, ...: #MF is then reported at the
/// WAIT byte, which starts the instruction), and the 8087/287 leftovers FNENI FNDISI FNSETPM,
/// which the 387 and later execute as FNOP. Non-waiting instructions (FN..., FXSAVE, FXRSTOR)
/// do not check for a pending exception, as on the test host.
///
/// Environment and save images go through the staging area of the FPU state: for a store, a
/// helper builds the image there, the lifter copies it to memory, and a second helper finishes
/// (FNSTENV masks the exceptions, FNSAVE reinitializes); for a load, the lifter copies memory to
/// the staging area and one helper installs it. So every fault happens before the state changes.
/// </summary>
internal static class X87Control
{
    public static void AddTo(LifterTable table)
    {
        table.Add(cx => Simple(cx, ControlOp.Fninit, waiting: false), Mnemonic.Fninit);
        table.Add(cx => Simple(cx, ControlOp.Fninit, waiting: true), Mnemonic.Finit);
        table.Add(cx => Simple(cx, ControlOp.Fnclex, waiting: false), Mnemonic.Fnclex);
        table.Add(cx => Simple(cx, ControlOp.Fnclex, waiting: true), Mnemonic.Fclex);
        table.Add(Fldcw, Mnemonic.Fldcw);
        table.Add(cx => Fstcw(cx, waiting: false), Mnemonic.Fnstcw);
        table.Add(cx => Fstcw(cx, waiting: true), Mnemonic.Fstcw);
        table.Add(cx => Fstsw(cx, waiting: false), Mnemonic.Fnstsw);
        table.Add(cx => Fstsw(cx, waiting: true), Mnemonic.Fstsw);
        table.Add(cx => StoreImage(cx, save: false, waiting: false), Mnemonic.Fnstenv);
        table.Add(cx => StoreImage(cx, save: false, waiting: true), Mnemonic.Fstenv);
        table.Add(cx => StoreImage(cx, save: true, waiting: false), Mnemonic.Fnsave);
        table.Add(cx => StoreImage(cx, save: true, waiting: true), Mnemonic.Fsave);
        table.Add(cx => LoadImage(cx, save: false), Mnemonic.Fldenv);
        table.Add(cx => LoadImage(cx, save: true), Mnemonic.Frstor);
        table.Add(FxSave, Mnemonic.Fxsave);
        table.Add(FxRstor, Mnemonic.Fxrstor);
        table.Add(X87Common.BeginWait, Mnemonic.Wait);
        table.Add(cx => X87Common.Begin(cx, waiting: false), Mnemonic.Fneni, Mnemonic.Fndisi, Mnemonic.Fnsetpm);
        table.Add(cx => X87Common.Begin(cx, waiting: true), Mnemonic.Feni, Mnemonic.Fdisi, Mnemonic.Fsetpm);
    }

    private static void Simple(LiftContext cx, int op, bool waiting)
    {
        X87Common.Begin(cx, waiting);
        cx.B.CallHelper(X87Common.Helpers.Control, cx.B.Const64(Make(op)), cx.B.Const64(0));
    }

    private static void Fldcw(LiftContext cx)
    {
        IrBuilder b = cx.B;
        X87Common.Begin(cx, waiting: true);
        (_, int linear) = X87Common.Memory(cx);
        int value = cx.ReadMemory(2, linear);
        b.CallHelper(X87Common.Helpers.Control, b.Const64(Make(ControlOp.Fldcw)), b.Unary(Opcode.ZextTo64, value));
    }

    private static void Fstcw(LiftContext cx, bool waiting)
    {
        IrBuilder b = cx.B;
        X87Common.Begin(cx, waiting);
        (_, int linear) = X87Common.Memory(cx);
        int cw = b.Xor(b.LoadState(FpuState.OffCwX), b.Const(FpuState.DefaultControlWord));
        cx.WriteMemory(2, linear, cw);
    }

    private static void Fstsw(LiftContext cx, bool waiting)
    {
        IrBuilder b = cx.B;
        X87Common.Begin(cx, waiting);
        // The flags the inline arithmetic raised are part of the status word (FpuState.OffRaised).
        int sw = b.Or(b.LoadState(FpuState.OffFsw), b.And(b.LoadState(FpuState.OffRaised), FpuBits.Exceptions));
        if (cx.Insn.GetOpKind(0) == OpKind.Register)
        {
            cx.WriteRegister(Register.AX, sw);
            return;
        }
        (_, int linear) = X87Common.Memory(cx);
        cx.WriteMemory(2, linear, sw);
    }

    /// <summary>Copies <paramref name="bytes"/> of the staging area to memory (4 bytes at a time,
    /// then 2).</summary>
    private static void CopyOut(LiftContext cx, int linear, int bytes)
    {
        IrBuilder b = cx.B;
        // The image may cross into a page that faults: the fault must come before anything is
        // written (hardware writes nothing). Writing its last byte back unchanged checks that
        // page; the first piece checks the other (an image spans at most two pages).
        int last = b.Add(linear, b.Const(bytes - 1));
        X87Common.ProbeWrite(cx, last);
        int off = 0;
        for (; off + 4 <= bytes; off += 4)
            cx.WriteMemory(4, off == 0 ? linear : b.Add(linear, b.Const(off)), b.LoadState(FpuState.OffStage + off));
        if (off < bytes)
            cx.WriteMemory(2, b.Add(linear, b.Const(off)), b.LoadState(FpuState.OffStage + off));
    }

    private static void CopyIn(LiftContext cx, int linear, int bytes)
    {
        IrBuilder b = cx.B;
        int off = 0;
        var values = new List<(int Offset, int Temp)>();
        for (; off + 4 <= bytes; off += 4)
            values.Add((off, cx.ReadMemory(4, off == 0 ? linear : b.Add(linear, b.Const(off)))));
        if (off < bytes) values.Add((off, cx.ReadMemory(2, b.Add(linear, b.Const(off)))));
        // Every read first (they may fault), then the staging stores.
        foreach ((int o, int t) in values) b.StoreState(FpuState.OffStage + o, t);
    }

    private static bool Size32(LiftContext cx) =>
        cx.Insn.MemorySize is MemorySize.FpuEnv28 or MemorySize.FpuState108;

    private static void StoreImage(LiftContext cx, bool save, bool waiting)
    {
        IrBuilder b = cx.B;
        X87Common.Begin(cx, waiting);
        bool size32 = Size32(cx);
        (_, int linear) = X87Common.Memory(cx);
        int form = size32 ? 1 : 0;
        b.CallHelper(X87Common.Helpers.Control, b.Const64(Make(save ? ControlOp.StoreSave : ControlOp.StoreEnv, form: form)), b.Const64(0));
        CopyOut(cx, linear, save ? FpuImages.SaveSize(size32) : FpuImages.EnvSize(size32));
        b.CallHelper(X87Common.Helpers.Control, b.Const64(Make(save ? ControlOp.StoreSaveDone : ControlOp.StoreEnvDone)), b.Const64(0));
    }

    private static void LoadImage(LiftContext cx, bool save)
    {
        IrBuilder b = cx.B;
        X87Common.Begin(cx, waiting: true);
        bool size32 = Size32(cx);
        (_, int linear) = X87Common.Memory(cx);
        CopyIn(cx, linear, save ? FpuImages.SaveSize(size32) : FpuImages.EnvSize(size32));
        b.CallHelper(X87Common.Helpers.Control, b.Const64(Make(save ? ControlOp.LoadSave : ControlOp.LoadEnv, form: size32 ? 1 : 0)), b.Const64(0));
    }

    /// <summary>#GP(0) unless the FXSAVE area is 16-byte aligned (its offset, as on hardware).</summary>
    private static int AlignedFxArea(LiftContext cx)
    {
        IrBuilder b = cx.B;
        (_, int linear) = X87Common.Memory(cx);
        int ok = b.NewLabel();
        b.BranchIf(b.Eq(b.And(linear, 15u), b.Const(0)), ok);
        cx.RaiseFault(ExceptionVectors.GeneralProtection, 0);
        cx.MarkLabel(ok);
        return linear;
    }

    private static void FxSave(LiftContext cx)
    {
        IrBuilder b = cx.B;
        X87Common.Begin(cx, waiting: false);
        int linear = AlignedFxArea(cx);
        // The operand is 512 bytes, though only the first FxSize hold state: a page fault on its
        // last byte comes first, as on the host (written back unchanged).
        int last = b.Add(linear, b.Const(511));
        X87Common.ProbeWrite(cx, last);
        b.CallHelper(X87Common.Helpers.Control, b.Const64(Make(ControlOp.FxSave)), b.Const64(0));
        CopyOut(cx, linear, FpuImages.FxSize);
    }

    private static void FxRstor(LiftContext cx)
    {
        IrBuilder b = cx.B;
        X87Common.Begin(cx, waiting: false);
        int linear = AlignedFxArea(cx);
        cx.ReadMemory(1, b.Add(linear, b.Const(511))); // the 512-byte operand's last page first (host)
        CopyIn(cx, linear, FpuImages.FxSize);
        b.CallHelper(X87Common.Helpers.Control, b.Const64(Make(ControlOp.FxRstor)), b.Const64(0));
    }
}
