namespace Transmeta.IR;

/// <summary>Builds an <see cref="IrBlock"/> one instruction at a time. Every method that
/// produces a value returns the new temporary's number.</summary>
public sealed class IrBuilder
{
    private IrInstruction[] _code = new IrInstruction[256];
    private int _count;
    private readonly List<IrType> _types = new();
    private int _labels;

    public IrBuilder(HelperTable helpers, StateLayout layout)
    {
        Helpers = helpers;
        Layout = layout;
    }

    public HelperTable Helpers { get; }
    public StateLayout Layout { get; }
    public int Count => _count;

    public IrType TypeOf(int temp) => _types[temp];

    private int NewTemp(IrType type)
    {
        _types.Add(type);
        return _types.Count - 1;
    }

    private void Emit(in IrInstruction instr)
    {
        if (_count == _code.Length) Array.Resize(ref _code, _code.Length * 2);
        _code[_count++] = instr;
    }

    private int EmitValue(Opcode op, IrType type, int a = -1, int b = -1, int c = -1, int d = -1, long imm = 0, int aux = 0, byte size = 0)
    {
        // Comparisons carry their operand type in Type; their result is always I32.
        int dst = NewTemp(IsComparison(op) ? IrType.I32 : type);
        Emit(new IrInstruction { Op = op, Type = type, Dst = dst, A = a, B = b, C = c, D = d, Imm = imm, Aux = aux, Size = size });
        return dst;
    }

    private void EmitVoid(Opcode op, IrType type = IrType.I32, int a = -1, int b = -1, long imm = 0, int aux = 0, byte size = 0) =>
        Emit(new IrInstruction { Op = op, Type = type, Dst = -1, A = a, B = b, C = -1, D = -1, Imm = imm, Aux = aux, Size = size });

    // --- values ---

    /// <summary>A temporary defined outside the code being built (an argument of a
    /// <see cref="HelperBody"/>).</summary>
    public int Parameter(IrType type) => NewTemp(type);
    public int Const(uint value) => EmitValue(Opcode.Const, IrType.I32, imm: value);
    public int Const(int value) => Const((uint)value);
    public int Const64(ulong value) => EmitValue(Opcode.Const, IrType.I64, imm: (long)value);

    /// <summary>Gives the I32 constant <paramref name="temp"/> another value: for a check emitted
    /// early whose mask grows as later code is built.</summary>
    public void SetConst(int temp, uint value)
    {
        for (int i = _count - 1; i >= 0; i--)
        {
            if (_code[i].Dst != temp) continue;
            if (_code[i].Op != Opcode.Const) break;
            _code[i].Imm = value;
            return;
        }
        throw new InvalidOperationException($"t{temp} is not a constant of this block");
    }

    public int LoadState(int offset, IrType type = IrType.I32) => EmitValue(Opcode.LoadState, type, imm: offset);
    public void StoreState(int offset, int value) => EmitVoid(Opcode.StoreState, _types[value], a: value, imm: offset);

    /// <summary>A guest memory read of 1, 2, 4 (an I32) or 8 bytes (an I64).</summary>
    public int Load(int size, int address) => EmitValue(Opcode.Load, size == 8 ? IrType.I64 : IrType.I32, a: address, size: (byte)size);
    public void Store(int size, int address, int value) => EmitVoid(Opcode.Store, size == 8 ? IrType.I64 : IrType.I32, a: address, b: value, size: (byte)size);

    public static bool IsComparison(Opcode op) =>
        op is Opcode.Eq or Opcode.Ne or Opcode.ULt or Opcode.ULe or Opcode.SLt or Opcode.SLe;

    /// <summary>A two-operand operation; for comparisons the instruction's Type is the operand
    /// type and the result is I32.</summary>
    public int Binary(Opcode op, int a, int b) => EmitValue(op, _types[a], a, b);

    public int Unary(Opcode op, int a)
    {
        IrType type = op switch
        {
            Opcode.ZextTo64 or Opcode.SextTo64 => IrType.I64,
            Opcode.Trunc => IrType.I32,
            _ => _types[a],
        };
        return EmitValue(op, type, a);
    }

    public int Add(int a, int b) => Binary(Opcode.Add, a, b);
    public int Sub(int a, int b) => Binary(Opcode.Sub, a, b);
    public int Mul(int a, int b) => Binary(Opcode.Mul, a, b);

    /// <summary>One part of an extended-precision operation (<see cref="Opcode.ExtArith"/>):
    /// significands I64, sign/exponents I32.</summary>
    public int ExtArith(ExtOp op, ExtPart part, int aSig, int aSignExp, int bSig, int bSignExp) =>
        EmitValue(Opcode.ExtArith, part == ExtPart.Significand ? IrType.I64 : IrType.I32,
            aSig, aSignExp, bSig, bSignExp, imm: (long)op, aux: (int)part);

    /// <summary>ORs the exception flags of an extended-precision operation into the I32 state
    /// field at <paramref name="stateOffset"/> (<see cref="Opcode.ExtRaise"/>).</summary>
    public void ExtRaise(ExtOp op, long stateOffset, int aSig, int aSignExp, int bSig, int bSignExp) =>
        ExtIntoState(Opcode.ExtRaise, op, stateOffset, aSig, aSignExp, bSig, bSignExp);

    /// <summary>Sets the RoundedUp bit of the I32 state field at <paramref name="stateOffset"/> to
    /// an extended-precision operation's rounding direction (<see cref="Opcode.ExtSetRoundedUp"/>).</summary>
    public void ExtSetRoundedUp(ExtOp op, long stateOffset, int aSig, int aSignExp, int bSig, int bSignExp) =>
        ExtIntoState(Opcode.ExtSetRoundedUp, op, stateOffset, aSig, aSignExp, bSig, bSignExp);

    private void ExtIntoState(Opcode opcode, ExtOp op, long stateOffset, int aSig, int aSignExp, int bSig, int bSignExp) =>
        Emit(new IrInstruction
        {
            Op = opcode, Type = IrType.I32, Dst = -1, A = aSig, B = aSignExp, C = bSig, D = bSignExp,
            Imm = stateOffset, Aux = (int)op,
        });
    public int And(int a, int b) => Binary(Opcode.And, a, b);
    public int Or(int a, int b) => Binary(Opcode.Or, a, b);
    public int Xor(int a, int b) => Binary(Opcode.Xor, a, b);
    public int Shl(int a, int b) => Binary(Opcode.Shl, a, b);
    public int Shr(int a, int b) => Binary(Opcode.Shr, a, b);
    public int Sar(int a, int b) => Binary(Opcode.Sar, a, b);
    public int Eq(int a, int b) => Binary(Opcode.Eq, a, b);
    public int Ne(int a, int b) => Binary(Opcode.Ne, a, b);
    public int ULt(int a, int b) => Binary(Opcode.ULt, a, b);
    public int ULe(int a, int b) => Binary(Opcode.ULe, a, b);
    public int SLt(int a, int b) => Binary(Opcode.SLt, a, b);
    public int SLe(int a, int b) => Binary(Opcode.SLe, a, b);
    public int Not(int a) => Unary(Opcode.Not, a);
    public int Neg(int a) => Unary(Opcode.Neg, a);

    public int And(int a, uint mask) => And(a, Const(mask));
    public int ShlImm(int a, int count) => Shl(a, Const(count));
    public int ShrImm(int a, int count) => Shr(a, Const(count));
    public int SarImm(int a, int count) => Sar(a, Const(count));

    public int Select(int cond, int ifTrue, int ifFalse) =>
        EmitValue(Opcode.Select, _types[ifTrue], cond, ifTrue, ifFalse);

    public int CallHelper(int helperId, int a = -1, int b = -1, int c = -1, int d = -1) =>
        EmitValue(Opcode.CallHelper, IrType.I64, a, b, c, d, aux: helperId);

    // --- control ---
    public void InsnStart(uint guestAddress, int retiredBefore) =>
        EmitVoid(Opcode.InsnStart, imm: guestAddress, aux: retiredBefore);

    public int NewLabel() => _labels++;
    public void MarkLabel(int label) => EmitVoid(Opcode.Label, aux: label);
    public void Jump(int label) => EmitVoid(Opcode.Jump, aux: label);
    public void BranchIf(int cond, int label) => EmitVoid(Opcode.BranchIf, a: cond, aux: label);
    public void Exit(int exitCode, int retired) => EmitVoid(Opcode.Exit, imm: exitCode, aux: retired);

    /// <summary>Where the instruction list ends now; <see cref="Rewind"/> drops what came after.</summary>
    public int Mark => _count;

    /// <summary>Drops instructions emitted after <paramref name="mark"/> (a lifter that gave up).</summary>
    public void Rewind(int mark) => _count = mark;

    public IrBlock Finish(uint guestAddress)
    {
        var code = new IrInstruction[_count];
        Array.Copy(_code, code, _count);
        return new IrBlock(guestAddress, code, _count, new List<IrType>(_types), _labels, Helpers, Layout);
    }
}
