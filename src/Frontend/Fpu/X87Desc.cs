namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The descriptor word a lifter passes to an x87 helper: what the instruction does, with the
/// values the helper needs to update the last-instruction pointers. Layout (bits):
/// <code>
///   0..7    operation (per helper: <see cref="ArithOp"/>, <see cref="CompareKind"/>, ...)
///   8..10   i of ST(i)
///   11..13  operand form / memory format (<see cref="Form"/>)
///   14..15  pops (0, 1, 2)
///   16..26  FOP: the instruction's opcode (low 3 bits of the first byte, then the ModRM byte)
///   27      the instruction has a memory operand (FDP/FDS are updated)
///   28..30  segment register of the memory operand (Iced order ES CS SS DS FS GS)
///   32..47  high 16 bits of an 80-bit memory operand (FLD m80, FBLD)
/// </code>
/// </summary>
public static class X87Desc
{
    public const int StShift = 8, FormShift = 11, PopShift = 14, FopShift = 16, MemBit = 27, SegShift = 28, HighShift = 32;

    public static ulong Make(int op, int st = 0, int form = 0, int pops = 0, int fop = 0, bool mem = false, int seg = 0, int high = 0) =>
        (ulong)(uint)op | (ulong)(uint)st << StShift | (ulong)(uint)form << FormShift | (ulong)(uint)pops << PopShift
        | (ulong)(uint)(fop & 0x7FF) << FopShift | (mem ? 1UL << MemBit : 0) | (ulong)(uint)seg << SegShift
        | (ulong)(ushort)high << HighShift;

    public static int Op(ulong d) => (int)(d & 0xFF);
    public static int St(ulong d) => (int)(d >> StShift) & 7;
    public static int FormOf(ulong d) => (int)(d >> FormShift) & 7;
    public static int Pops(ulong d) => (int)(d >> PopShift) & 3;
    public static uint Fop(ulong d) => (uint)(d >> FopShift) & 0x7FF;
    public static bool HasMem(ulong d) => ((d >> MemBit) & 1) != 0;
    public static int Seg(ulong d) => (int)(d >> SegShift) & 7;
    public static ushort High(ulong d) => (ushort)(d >> HighShift);

    /// <summary>Operand forms: between registers, or the format of the memory operand.</summary>
    public static class Form
    {
        /// <summary>ST(0) ← ST(0) op ST(i) (or ST(0) against ST(i) for compares).</summary>
        public const int St0StI = 0;
        /// <summary>ST(i) ← ST(i) op ST(0).</summary>
        public const int StISt0 = 1;
        public const int M32Fp = 2, M64Fp = 3, M16Int = 4, M32Int = 5, M64Int = 6, M80 = 7;
    }

    /// <summary>Arithmetic: dest ← dest op src.</summary>
    public static class ArithOp
    {
        public const int Add = 0, Mul = 1, Sub = 4, SubR = 5, Div = 6, DivR = 7;
    }

    public static class CompareKind
    {
        /// <summary>FCOM/FCOMP/FCOMPP/FICOM/FICOMP/FTST: any NaN is invalid; sets C3 C2 C0.</summary>
        public const int Fcom = 0;
        /// <summary>FUCOM family: only SNaN is invalid.</summary>
        public const int Fucom = 1;
        /// <summary>FCOMI/FCOMIP: sets ZF PF CF (returned as EFLAGS bits).</summary>
        public const int Fcomi = 2;
        public const int Fucomi = 3;
        /// <summary>FTST: ST(0) against +0.0.</summary>
        public const int Ftst = 4;
    }

    /// <summary>Loads (push): the source kind.</summary>
    public static class LoadKind
    {
        public const int M32Fp = 0, M64Fp = 1, M80Fp = 2, M16Int = 3, M32Int = 4, M64Int = 5, Bcd = 6, StI = 7;
        public const int One = 8, L2T = 9, L2E = 10, Pi = 11, Lg2 = 12, Ln2 = 13, Zero = 14;
    }

    /// <summary>Stores: the destination format (register destinations are <see cref="StI"/>).</summary>
    public static class StoreKind
    {
        public const int M32Fp = 0, M64Fp = 1, M80Fp = 2, M16Int = 3, M32Int = 4, M64Int = 5, Bcd = 6, StI = 7;
    }

    /// <summary>Everything else that works on the register stack.</summary>
    public static class MiscOp
    {
        public const int Fchs = 0, Fabs = 1, Fxam = 2, Fsqrt = 3, Frndint = 4, Fscale = 5, Fxtract = 6, Fprem = 7, Fprem1 = 8;
        public const int Fsin = 9, Fcos = 10, Fsincos = 11, Fptan = 12, Fpatan = 13, F2xm1 = 14, Fyl2x = 15, Fyl2xp1 = 16;
        public const int Fxch = 17, Ffree = 18, Ffreep = 19, Fincstp = 20, Fdecstp = 21, Fnop = 22;
        /// <summary>FCMOVcc: the condition (0/1) is the helper's second argument.</summary>
        public const int Fcmov = 23;
    }

    /// <summary>Control instructions (they do not update the last-instruction pointers).</summary>
    public static class ControlOp
    {
        public const int Fninit = 0, Fnclex = 1, Fldcw = 2;
        /// <summary>Fill the staging area with the FNSTENV image (16/32-bit format by form 0/1).</summary>
        public const int StoreEnv = 3;
        /// <summary>After FNSTENV's stores: mask every exception.</summary>
        public const int StoreEnvDone = 4;
        public const int StoreSave = 5;
        /// <summary>After FNSAVE's stores: FNINIT.</summary>
        public const int StoreSaveDone = 6;
        public const int LoadEnv = 7, LoadSave = 8;
        public const int FxSave = 9, FxRstor = 10;
    }
}
