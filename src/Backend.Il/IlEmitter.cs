using System.Buffers.Binary;
using System.Numerics;
using System.Reflection;
using System.Reflection.Emit;
using Transmeta.IR;

namespace Transmeta.Backend.Il;

/// <summary>
/// Emits the IL of one block: a prologue, one straight run of IL per IR instruction in IR
/// order (the hot path), then the out-of-line ("cold") code the hot path branches to: soft-TLB
/// misses, code-modified checks and the fault exits. Guest-memory accesses are delegated to
/// <see cref="SoftTlbEmitter"/>.
/// </summary>
internal sealed unsafe class IlEmitter
{
    internal static readonly FieldInfo FieldState = Field(nameof(RuntimeContext.State));
    internal static readonly FieldInfo FieldReadTlb = Field(nameof(RuntimeContext.ReadTlb));
    internal static readonly FieldInfo FieldWriteTlb = Field(nameof(RuntimeContext.WriteTlb));
    internal static readonly FieldInfo FieldStatus = Field(nameof(RuntimeContext.Status));
    internal static readonly FieldInfo FieldReadSlow = Field(nameof(RuntimeContext.ReadSlow));
    internal static readonly FieldInfo FieldProbeSlow = Field(nameof(RuntimeContext.ProbeSlow));
    internal static readonly FieldInfo FieldWriteSlow = Field(nameof(RuntimeContext.WriteSlow));

    private static readonly MethodInfo PopCount = typeof(BitOperations).GetMethod(nameof(BitOperations.PopCount), [typeof(uint)])!;
    private static readonly MethodInfo TrailingZeroCount = typeof(BitOperations).GetMethod(nameof(BitOperations.TrailingZeroCount), [typeof(uint)])!;
    private static readonly MethodInfo LeadingZeroCount = typeof(BitOperations).GetMethod(nameof(BitOperations.LeadingZeroCount), [typeof(uint)])!;
    /// <summary>The entry of each <see cref="ExtOp"/> (by value).</summary>
    private static readonly MethodInfo[] ExtOperations = Enum.GetValues<ExtOp>()
        .Select(op => typeof(ExtendedOperation).GetMethod(op.ToString(), [typeof(ulong), typeof(uint), typeof(ulong), typeof(uint)])!).ToArray();
    private static readonly FieldInfo ExtSignificand = typeof(ExtendedArithmetic.Result).GetField(nameof(ExtendedArithmetic.Result.Sig))!;
    /// <summary>The result's sign/exponent (bits 0..15) and flags (from bit 16), read as the
    /// field itself: the JIT did not inline the properties into the dynamic methods (a call for
    /// every part and flag, 5% of an x87-bound guest's time).</summary>
    private static readonly FieldInfo ExtMeta = typeof(ExtendedArithmetic.Result).GetField(nameof(ExtendedArithmetic.Result.Meta))!;
    private static readonly MethodInfo ReverseEndianness = typeof(BinaryPrimitives).GetMethod(nameof(BinaryPrimitives.ReverseEndianness), [typeof(uint)])!;


    internal static readonly Type ContextPointer = typeof(RuntimeContext*);
    private static readonly Type[] HelperParameters = [ContextPointer, typeof(ulong), typeof(ulong), typeof(ulong), typeof(ulong)];

    private static FieldInfo Field(string name) =>
        typeof(RuntimeContext).GetField(name, BindingFlags.Public | BindingFlags.Instance)
        ?? throw new MissingFieldException(nameof(RuntimeContext), name);

    private readonly IrBlock _block;
    private readonly BlockAnalysis _analysis;
    private readonly SoftTlbEmitter _memory;
    private readonly LocalBuilder[] _locals;
    private readonly Label[] _labels;
    private readonly List<Action> _cold = new();
    private readonly Label?[] _faultExits;
    private Label? _dynamicFaultExit;
    /// <summary>The locals holding the extended-precision results computed since the last
    /// label, by operation and operands (<see cref="EmitExtArith"/>).</summary>
    private readonly Dictionary<(long Op, int A, int B, int C, int D), LocalBuilder> _extResults = new();

    public IlEmitter(ILGenerator il, IrBlock block)
    {
        Il = il;
        _block = block;
        _analysis = new BlockAnalysis(block);
        _memory = new SoftTlbEmitter(this);
        _locals = new LocalBuilder[_analysis.LocalTypes.Count];
        for (int l = 0; l < _locals.Length; l++)
            _locals[l] = il.DeclareLocal(_analysis.LocalTypes[l] == IrType.I32 ? typeof(uint) : typeof(ulong));
        _labels = new Label[block.LabelCount];
        for (int l = 0; l < _labels.Length; l++) _labels[l] = il.DefineLabel();
        _faultExits = new Label?[_analysis.Sites.Count];

        State = il.DeclareLocal(typeof(byte*));
        if (_analysis.HasLoad || _analysis.HasStore || _analysis.HasProbe) TlbEntry = il.DeclareLocal(typeof(byte*));
        if (_analysis.HasStore) StoredInInsn = il.DeclareLocal(typeof(int));
        if (_analysis.NeedsDynamicInsnTracking)
        {
            InsnPc = il.DeclareLocal(typeof(uint));
            InsnRetired = il.DeclareLocal(typeof(uint));
        }
    }

    internal ILGenerator Il { get; }
    internal BlockAnalysis Analysis => _analysis;
    /// <summary><c>ctx->State</c>, loaded once.</summary>
    internal LocalBuilder State { get; }
    /// <summary>Scratch: address of the TLB entry of the access being emitted.</summary>
    internal LocalBuilder? TlbEntry { get; }
    /// <summary>The interpreter's <c>storedInInsn</c>: a store saw a non-OK, non-fault status.</summary>
    internal LocalBuilder? StoredInInsn { get; }
    /// <summary>Current InsnStart, kept at run time only when a fault point's InsnStart depends on the path.</summary>
    internal LocalBuilder? InsnPc { get; }
    internal LocalBuilder? InsnRetired { get; }

    /// <summary>Pushes <c>ctx</c>. Argument 0 is the object the entry delegate is closed over
    /// (see <see cref="IlCompiler"/>), so the context is argument 1.</summary>
    internal void LoadContext() => Il.Emit(OpCodes.Ldarg_1);

    /// <summary>Queues IL to be emitted after the hot path.</summary>
    internal void Cold(Action emit) => _cold.Add(emit);

    public void EmitBlock()
    {
        ILGenerator il = Il;
        // Prologue: the state pointer in a local for the whole block. (The TLB array pointers are
        // read from ctx at each access instead: an L1 hit off the critical path, and it leaves
        // two more callee-saved registers for temporaries that live across slow-path calls.)
        LoadContext();
        il.Emit(OpCodes.Ldfld, FieldState);
        il.Emit(OpCodes.Stloc, State);
        if (StoredInInsn != null)
        {
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Stloc, StoredInInsn);
        }
        if (InsnPc != null)
        {
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Stloc, InsnPc);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Stloc, InsnRetired!);
        }

        ReadOnlySpan<IrInstruction> code = _block.Span;
        for (int i = 0; i < code.Length; i++)
            i += EmitInstruction(code, i);

        // A verified block ends with a terminator; this keeps the IL valid for any block.
        EmitExit(BlockExit.Jump, 0);

        // Cold code may queue more cold code (fault exits are created on first use).
        for (int k = 0; k < _cold.Count; k++) _cold[k]();
    }

    /// <summary>Emits instruction <paramref name="i"/>; returns how many following instructions
    /// it consumed as well (a comparison fused with the branch after it).</summary>
    private int EmitInstruction(ReadOnlySpan<IrInstruction> code, int i)
    {
        ILGenerator il = Il;
        ref readonly IrInstruction ins = ref code[i];
        IrType type = ins.Type;
        switch (ins.Op)
        {
            case Opcode.Const:
                break; // constants are emitted as literals at each use

            case Opcode.LoadState:
                EmitStatePointer((int)ins.Imm);
                il.Emit(type == IrType.I32 ? OpCodes.Ldind_U4 : OpCodes.Ldind_I8);
                StoreTemp(ins.Dst, type);
                break;
            case Opcode.StoreState:
                EmitStatePointer((int)ins.Imm);
                LoadTemp(ins.A, type);
                il.Emit(type == IrType.I32 ? OpCodes.Stind_I4 : OpCodes.Stind_I8);
                break;

            case Opcode.Load:
                _memory.EmitLoad(ins, _analysis.FaultSite[i]);
                break;
            case Opcode.Store:
                _memory.EmitStore(ins, _analysis.FaultSite[i]);
                break;
            case Opcode.MemProbe: _memory.EmitProbe(ins); break;
            case Opcode.HostLoad: _memory.EmitHostLoad(ins); break;
            case Opcode.HostStore: _memory.EmitHostStore(ins); break;

            case Opcode.Add: Binary(ins, OpCodes.Add); break;
            case Opcode.Sub: Binary(ins, OpCodes.Sub); break;
            case Opcode.Mul: Binary(ins, OpCodes.Mul); break;
            case Opcode.And: Binary(ins, OpCodes.And); break;
            case Opcode.Or: Binary(ins, OpCodes.Or); break;
            case Opcode.Xor: Binary(ins, OpCodes.Xor); break;
            case Opcode.UDiv: Binary(ins, OpCodes.Div_Un); break;
            case Opcode.URem: Binary(ins, OpCodes.Rem_Un); break;
            case Opcode.Shl: Shift(ins, OpCodes.Shl); break;
            case Opcode.Shr: Shift(ins, OpCodes.Shr_Un); break;
            case Opcode.Sar: Shift(ins, OpCodes.Shr); break;
            case Opcode.SDiv: SignedDivide(ins, remainder: false); break;
            case Opcode.SRem: SignedDivide(ins, remainder: true); break;
            case Opcode.Not: Unary(ins, type, OpCodes.Not); break;
            case Opcode.Neg: Unary(ins, type, OpCodes.Neg); break;

            case Opcode.Eq or Opcode.Ne or Opcode.ULt or Opcode.ULe or Opcode.SLt or Opcode.SLe:
                if (i + 1 < code.Length && code[i + 1].Op == Opcode.BranchIf && code[i + 1].A == ins.Dst
                    && _analysis.UseCount[ins.Dst] == 1)
                {
                    // Compare-and-branch: the flag value is never materialized.
                    LoadTemp(ins.A, type);
                    LoadTemp(ins.B, type);
                    il.Emit(ins.Op switch
                    {
                        Opcode.Eq => OpCodes.Beq,
                        Opcode.Ne => OpCodes.Bne_Un,
                        Opcode.ULt => OpCodes.Blt_Un,
                        Opcode.ULe => OpCodes.Ble_Un,
                        Opcode.SLt => OpCodes.Blt,
                        _ => OpCodes.Ble,
                    }, _labels[code[i + 1].Aux]);
                    return 1;
                }
                Compare(ins);
                break;

            case Opcode.Select:
            {
                Label otherwise = il.DefineLabel(), done = il.DefineLabel();
                LoadTemp(ins.A, IrType.I32);
                il.Emit(OpCodes.Brfalse, otherwise);
                LoadTemp(ins.B, type);
                StoreTemp(ins.Dst, type);
                il.Emit(OpCodes.Br, done);
                il.MarkLabel(otherwise);
                LoadTemp(ins.C, type);
                StoreTemp(ins.Dst, type);
                il.MarkLabel(done);
                break;
            }

            case Opcode.Sext8: Unary(ins, IrType.I32, OpCodes.Conv_I1); break;
            case Opcode.Sext16: Unary(ins, IrType.I32, OpCodes.Conv_I2); break;
            case Opcode.ZextTo64:
                LoadTemp(ins.A, IrType.I32);
                il.Emit(OpCodes.Conv_U8);
                StoreTemp(ins.Dst, IrType.I64);
                break;
            case Opcode.SextTo64:
                LoadTemp(ins.A, IrType.I32);
                il.Emit(OpCodes.Conv_I8);
                StoreTemp(ins.Dst, IrType.I64);
                break;
            case Opcode.Trunc:
                LoadTemp(ins.A, IrType.I64);
                il.Emit(OpCodes.Conv_U4);
                StoreTemp(ins.Dst, IrType.I32);
                break;

            case Opcode.Popcnt: Intrinsic(ins, PopCount); break;
            case Opcode.Ctz: Intrinsic(ins, TrailingZeroCount); break;
            case Opcode.Clz: Intrinsic(ins, LeadingZeroCount); break;
            case Opcode.Bswap: Intrinsic(ins, ReverseEndianness); break;

            case Opcode.CallHelper:
                EmitHelperCall(ins, _analysis.FaultSite[i]);
                break;
            case Opcode.ExtRaise or Opcode.ExtSetRoundedUp:
                EmitExtIntoState(ins);
                break;
            case Opcode.ExtArith:
                EmitExtArith(ins);
                break;

            case Opcode.InsnStart:
                EmitInsnStart(ins, _analysis.NeedsCodeModifiedCheck[i]);
                break;
            case Opcode.Label:
                il.MarkLabel(_labels[ins.Aux]);
                _extResults.Clear();
                break;
            case Opcode.Jump:
                il.Emit(OpCodes.Br, _labels[ins.Aux]);
                break;
            case Opcode.BranchIf:
                LoadTemp(ins.A, IrType.I32);
                il.Emit(OpCodes.Brtrue, _labels[ins.Aux]);
                break;
            case Opcode.Exit:
                EmitExit((int)ins.Imm, ins.Aux);
                break;
            default:
                throw new NotSupportedException($"IL backend: unknown opcode {ins.Op} in {_block.Name}");
        }
        return 0;
    }

    // ---------------------------------------------------------------- temporaries

    /// <summary>Pushes a temporary as <paramref name="asType"/> (int32 for I32, int64 for I64).
    /// Constants become literals; a type mismatch converts the way the interpreter's 64-bit
    /// slots do (I32 values are zero-extended, I64 values truncated).</summary>
    internal void LoadTemp(int temp, IrType asType)
    {
        ILGenerator il = Il;
        if (_analysis.IsConst[temp])
        {
            ulong v = _analysis.ConstValue[temp];
            if (asType == IrType.I32) il.EmitI4((int)(uint)v);
            else il.EmitI8((long)v);
            return;
        }
        il.Emit(OpCodes.Ldloc, _locals[_analysis.LocalIndex[temp]]);
        IrType actual = _block.TempTypes[temp];
        if (actual != asType) il.Emit(asType == IrType.I64 ? OpCodes.Conv_U8 : OpCodes.Conv_U4);
    }

    /// <summary>Pops a value of <paramref name="stackType"/> into a temporary (or discards it).</summary>
    internal void StoreTemp(int temp, IrType stackType)
    {
        ILGenerator il = Il;
        if (temp < 0 || _analysis.IsConst[temp])
        {
            il.Emit(OpCodes.Pop);
            return;
        }
        IrType actual = _block.TempTypes[temp];
        if (actual != stackType) il.Emit(actual == IrType.I64 ? OpCodes.Conv_U8 : OpCodes.Conv_U4);
        il.Emit(OpCodes.Stloc, _locals[_analysis.LocalIndex[temp]]);
    }

    private void Binary(in IrInstruction ins, OpCode op)
    {
        LoadTemp(ins.A, ins.Type);
        LoadTemp(ins.B, ins.Type);
        Il.Emit(op);
        StoreTemp(ins.Dst, ins.Type);
    }

    private void Shift(in IrInstruction ins, OpCode op)
    {
        LoadTemp(ins.A, ins.Type);
        LoadTemp(ins.B, IrType.I32);
        Il.Emit(op);
        StoreTemp(ins.Dst, ins.Type);
    }

    private void Unary(in IrInstruction ins, IrType type, OpCode op)
    {
        LoadTemp(ins.A, type);
        Il.Emit(op);
        StoreTemp(ins.Dst, type);
    }

    private void Intrinsic(in IrInstruction ins, MethodInfo method)
    {
        LoadTemp(ins.A, IrType.I32);
        Il.Emit(OpCodes.Call, method);
        StoreTemp(ins.Dst, IrType.I32);
    }

    private void Compare(in IrInstruction ins)
    {
        ILGenerator il = Il;
        LoadTemp(ins.A, ins.Type);
        LoadTemp(ins.B, ins.Type);
        switch (ins.Op)
        {
            case Opcode.Eq: il.Emit(OpCodes.Ceq); break;
            case Opcode.Ne: il.Emit(OpCodes.Ceq); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); break;
            case Opcode.ULt: il.Emit(OpCodes.Clt_Un); break;
            case Opcode.ULe: il.Emit(OpCodes.Cgt_Un); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); break;
            case Opcode.SLt: il.Emit(OpCodes.Clt); break;
            default: il.Emit(OpCodes.Cgt); il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Ceq); break;
        }
        StoreTemp(ins.Dst, IrType.I32);
    }

    /// <summary>SDiv/SRem. IL div/rem throw on MIN / -1; the IR wraps (quotient = -A, which is
    /// MIN for MIN; remainder 0), so a divisor of -1 takes a separate path. A constant divisor
    /// other than -1 needs no test (and the JIT strength-reduces the division).</summary>
    private void SignedDivide(in IrInstruction ins, bool remainder)
    {
        ILGenerator il = Il;
        IrType type = ins.Type;
        ulong minusOne = type == IrType.I32 ? uint.MaxValue : ulong.MaxValue;
        OpCode op = remainder ? OpCodes.Rem : OpCodes.Div;
        if (_analysis.IsConst[ins.B])
        {
            if (_analysis.ConstValue[ins.B] == minusOne) EmitDivideByMinusOne(ins, remainder);
            else Binary(ins, op);
            return;
        }
        Label byMinusOne = il.DefineLabel(), done = il.DefineLabel();
        LoadTemp(ins.B, type);
        if (type == IrType.I32) il.Emit(OpCodes.Ldc_I4_M1);
        else il.EmitI8(-1);
        il.Emit(OpCodes.Beq, byMinusOne);
        Binary(ins, op);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(byMinusOne);
        EmitDivideByMinusOne(ins, remainder);
        il.MarkLabel(done);
    }

    private void EmitDivideByMinusOne(in IrInstruction ins, bool remainder)
    {
        if (remainder)
        {
            if (ins.Type == IrType.I32) Il.Emit(OpCodes.Ldc_I4_0);
            else Il.EmitI8(0);
            StoreTemp(ins.Dst, ins.Type);
        }
        else Unary(ins, ins.Type, OpCodes.Neg);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Dst = helper(ctx, a, b, c, d) through <c>calli</c> on the helper's managed entry
    /// point, embedded as a constant (helpers are static methods of loaded, non-collectible code).</summary>
    private void EmitHelperCall(in IrInstruction ins, int site)
    {
        ILGenerator il = Il;
        HelperDescriptor helper = _block.Helpers[ins.Aux];
        LoadContext();
        for (int k = 0; k < 4; k++)
        {
            int t = ins.Operand(k);
            if (t < 0) il.EmitI8(0);
            else LoadTemp(t, IrType.I64);
        }
        il.Emit(OpCodes.Ldc_I8, (long)(nint)helper.Managed);
        il.Emit(OpCodes.Conv_I);
        il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, typeof(ulong), HelperParameters, null);
        StoreTemp(ins.Dst, IrType.I64);
        if (helper.MayFault)
        {
            LoadContext();
            il.Emit(OpCodes.Ldfld, FieldStatus);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Beq, FaultExit(site));
        }
    }

    /// <summary>ExtArith: the operation is evaluated once, by a call that returns its whole
    /// result into a local, and each part reads its field. The parts of one operation come
    /// together with no label between them, and a result is reused only up to the next label,
    /// where control may arrive from elsewhere.</summary>
    private void EmitExtArith(in IrInstruction ins)
    {
        ILGenerator il = Il;
        il.Emit(OpCodes.Ldloca, ExtResult(ins.Imm, ins));
        switch ((ExtPart)ins.Aux)
        {
            case ExtPart.Significand:
                il.Emit(OpCodes.Ldfld, ExtSignificand);
                StoreTemp(ins.Dst, IrType.I64);
                return;
            default:
                il.Emit(OpCodes.Ldfld, ExtMeta);
                il.Emit(OpCodes.Conv_U2); // ExtendedArithmetic.Result.SignExp
                break;
        }
        StoreTemp(ins.Dst, IrType.I32);
    }

    /// <summary>ExtRaise: state[Imm] |= the operation's exception flags; ExtSetRoundedUp:
    /// state[Imm] = state[Imm] without RoundedUp | the operation's RoundedUp.</summary>
    private void EmitExtIntoState(in IrInstruction ins)
    {
        ILGenerator il = Il;
        bool raise = ins.Op == Opcode.ExtRaise;
        LocalBuilder result = ExtResult(ins.Aux, ins);
        EmitStatePointer((int)ins.Imm);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldind_U4);
        if (!raise)
        {
            il.EmitI4(~(int)ExtendedArithmetic.RoundedUp);
            il.Emit(OpCodes.And);
        }
        il.Emit(OpCodes.Ldloca, result);
        il.Emit(OpCodes.Ldfld, ExtMeta); // ExtendedArithmetic.Result.Flags: Meta >> 16
        il.EmitI4(16);
        il.Emit(OpCodes.Shr_Un);
        il.Emit(OpCodes.Conv_U4);
        il.EmitI4((int)(raise ? ExtendedArithmetic.Exceptions : ExtendedArithmetic.RoundedUp));
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Or);
        il.Emit(OpCodes.Stind_I4);
    }

    /// <summary>The local holding the result of operation <paramref name="op"/> on the operands
    /// of <paramref name="ins"/>, evaluated here unless it already was since the last label.</summary>
    private LocalBuilder ExtResult(long op, in IrInstruction ins)
    {
        ILGenerator il = Il;
        var key = (op, ins.A, ins.B, ins.C, ins.D);
        if (_extResults.TryGetValue(key, out LocalBuilder? result)) return result;
        result = il.DeclareLocal(typeof(ExtendedArithmetic.Result));
        LoadTemp(ins.A, IrType.I64);
        LoadTemp(ins.B, IrType.I32);
        LoadTemp(ins.C, IrType.I64);
        LoadTemp(ins.D, IrType.I32);
        il.Emit(OpCodes.Call, ExtOperations[op]);
        il.Emit(OpCodes.Stloc, result);
        _extResults[key] = result;
        return result;
    }

    // ---------------------------------------------------------------- guest instructions and exits

    private void EmitInsnStart(in IrInstruction ins, bool checkCodeModified)
    {
        ILGenerator il = Il;
        uint pc = (uint)ins.Imm;
        int retired = ins.Aux;
        if (checkCodeModified)
        {
            // if (storedInInsn && ctx->Status == CodeModified) leave before this instruction.
            Label check = il.DefineLabel(), resume = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, StoredInInsn!);
            il.Emit(OpCodes.Brtrue, check);
            il.MarkLabel(resume);
            Cold(() =>
            {
                il.MarkLabel(check);
                LoadContext();
                il.Emit(OpCodes.Ldfld, FieldStatus);
                il.Emit(OpCodes.Ldc_I4_2);
                il.Emit(OpCodes.Bne_Un, resume);
                EmitLeave(pc, retired, BlockExit.CodeModified);
            });
        }
        if (InsnPc != null)
        {
            il.EmitI4((int)pc);
            il.Emit(OpCodes.Stloc, InsnPc);
            il.EmitI4(retired);
            il.Emit(OpCodes.Stloc, InsnRetired!);
        }
    }

    /// <summary>Exit: retired += n; a pending code-modified status is dropped; return the code.</summary>
    private void EmitExit(int code, int retired)
    {
        ILGenerator il = Il;
        if (retired != 0) EmitAddRetired(() => il.EmitI8(retired));
        Label keep = il.DefineLabel();
        LoadContext();
        il.Emit(OpCodes.Ldfld, FieldStatus);
        il.Emit(OpCodes.Ldc_I4_2);
        il.Emit(OpCodes.Bne_Un, keep);
        LoadContext();
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stfld, FieldStatus);
        il.MarkLabel(keep);
        il.EmitI4(code);
        il.Emit(OpCodes.Ret);
    }

    /// <summary>The label of the fault exit of a guest instruction (created on first use, emitted
    /// with the cold code): Status = OK, PC = its address, retired += its count, return Fault.</summary>
    internal Label FaultExit(int site)
    {
        ILGenerator il = Il;
        if (site == BlockAnalysis.DynamicSite)
        {
            if (_dynamicFaultExit is { } existing) return existing;
            Label dyn = il.DefineLabel();
            _dynamicFaultExit = dyn;
            Cold(() =>
            {
                il.MarkLabel(dyn);
                EmitClearStatus();
                EmitStatePointer(_block.Layout.PcOffset);
                il.Emit(OpCodes.Ldloc, InsnPc!);
                il.Emit(OpCodes.Stind_I4);
                EmitAddRetired(() =>
                {
                    il.Emit(OpCodes.Ldloc, InsnRetired!);
                    il.Emit(OpCodes.Conv_U8);
                });
                il.EmitI4(BlockExit.Fault);
                il.Emit(OpCodes.Ret);
            });
            return dyn;
        }
        if (_faultExits[site] is { } label) return label;
        Label exit = il.DefineLabel();
        _faultExits[site] = exit;
        (uint pc, int retired) = _analysis.Sites[site];
        Cold(() =>
        {
            il.MarkLabel(exit);
            EmitLeave(pc, retired, BlockExit.Fault);
        });
        return exit;
    }

    /// <summary>Status = OK; PC = pc; retired += n; return code.</summary>
    private void EmitLeave(uint pc, int retired, int code)
    {
        ILGenerator il = Il;
        EmitClearStatus();
        EmitStatePointer(_block.Layout.PcOffset);
        il.EmitI4((int)pc);
        il.Emit(OpCodes.Stind_I4);
        if (retired != 0) EmitAddRetired(() => il.EmitI8(retired));
        il.EmitI4(code);
        il.Emit(OpCodes.Ret);
    }

    private void EmitClearStatus()
    {
        LoadContext();
        Il.Emit(OpCodes.Ldc_I4_0);
        Il.Emit(OpCodes.Stfld, FieldStatus);
    }

    /// <summary>state.retired (u64) += the int64 that <paramref name="pushAmount"/> pushes.</summary>
    private void EmitAddRetired(Action pushAmount)
    {
        ILGenerator il = Il;
        EmitStatePointer(_block.Layout.RetiredOffset);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldind_I8);
        pushAmount();
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stind_I8);
    }

    /// <summary>Pushes <c>state + offset</c>.</summary>
    internal void EmitStatePointer(int offset)
    {
        Il.Emit(OpCodes.Ldloc, State);
        Il.EmitAddOffset(offset);
    }
}
