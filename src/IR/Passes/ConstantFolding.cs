namespace Transmeta.IR.Passes;

/// <summary>
/// Constant folding and algebraic simplification, one forward walk.
/// <list type="bullet">
/// <item>Operations whose operands are all constants become constants, computed exactly as the
/// interpreter computes them (<see cref="ConstantEvaluator"/>); a division by zero is never folded.
/// Pure helpers (pure, not faulting, not touching state) with constant arguments are called now,
/// with a null context.</item>
/// <item>Identities: x+0, 0+x, x-0, x|0, x^0, x&amp;-1, x*1, x/1, x&amp;x, x|x, shift by 0 → x;
/// x&amp;0, x*0, 0 shifted, x%1, x^x, x-x → 0; x|-1 → -1; Eq/Ne/ULt/ULe/SLt/SLe of one temp with
/// itself; Select with a constant condition or equal arms; Not(Not x), Neg(Neg x),
/// Trunc(ZextTo64 x), Trunc(SextTo64 x) → x; And(And(x, c1), c2) → And(x, c1&amp;c2).</item>
/// <item>BranchIf on a constant becomes Jump (taken) or disappears (not taken); the code it makes
/// unreachable is left to <see cref="DeadCodeElimination"/>.</item>
/// </list>
/// A value replaced by another temp is recorded in a rename map and later operands are rewritten.
/// Instructions whose value became a constant are rewritten in place as Const (same temp).
/// </summary>
public static class ConstantFolding
{
    public static void Run(IrBlock block) => Run(block, null);

    /// <summary>Runs the pass; returns true if the block changed.</summary>
    public static bool Run(IrBlock block, PassStatistics? stats)
    {
        var folder = new Folder(block, stats);
        return folder.Run();
    }

    private sealed unsafe class Folder
    {
        private readonly IrBlock _block;
        private readonly PassStatistics? _stats;
        private readonly List<IrType> _types;
        private IrInstruction[] _out;
        private int _w;
        private int[] _rename;
        private bool[] _known;
        private ulong[] _value;
        /// <summary>Output index of the instruction defining each temp (-1: none seen yet).</summary>
        private int[] _def;
        private int _changes;

        public Folder(IrBlock block, PassStatistics? stats)
        {
            _block = block;
            _stats = stats;
            _types = block.TempTypes;
            int temps = block.TempCount;
            _out = new IrInstruction[block.Count + 8];
            _rename = new int[temps];
            for (int t = 0; t < temps; t++) _rename[t] = t;
            _known = new bool[temps];
            _value = new ulong[temps];
            _def = new int[temps];
            Array.Fill(_def, -1);
        }

        public bool Run()
        {
            IrInstruction[] code = _block.Instructions;
            int n = _block.Count;
            for (int i = 0; i < n; i++)
            {
                IrInstruction ins = code[i];
                int oc = ins.OperandCount;
                for (int k = 0; k < oc; k++)
                {
                    int t = ins.Operand(k);
                    if (t >= 0) ins.SetOperand(k, _rename[t]);
                }
                Fold(ins);
            }
            if (_changes == 0) return false;
            _block.Instructions = _out;
            _block.Count = _w;
            return true;
        }

        private void Fold(IrInstruction ins)
        {
            switch (ins.Op)
            {
                case Opcode.BranchIf:
                    if (_known[ins.A])
                    {
                        if (_stats != null) _stats.BranchesFolded++;
                        _changes++;
                        if (_value[ins.A] != 0)
                            Emit(new IrInstruction { Op = Opcode.Jump, Type = IrType.I32, Dst = -1, A = -1, B = -1, C = -1, D = -1, Aux = ins.Aux });
                        return;
                    }
                    break;

                case Opcode.Select:
                    if (_known[ins.A]) { Alias(ins.Dst, _value[ins.A] != 0 ? ins.B : ins.C); return; }
                    if (ins.B == ins.C) { Alias(ins.Dst, ins.B); return; }
                    if (_known[ins.B] && _known[ins.C] && _value[ins.B] == _value[ins.C])
                    {
                        FoldedConst(ins.Dst, _value[ins.B]);
                        return;
                    }
                    break;

                case Opcode.CallHelper:
                    if (TryFoldHelper(ins)) return;
                    break;

                case Opcode.Add or Opcode.Sub or Opcode.Mul or Opcode.And or Opcode.Or or Opcode.Xor
                    or Opcode.Shl or Opcode.Shr or Opcode.Sar or Opcode.UDiv or Opcode.SDiv or Opcode.URem or Opcode.SRem
                    or Opcode.Eq or Opcode.Ne or Opcode.ULt or Opcode.ULe or Opcode.SLt or Opcode.SLe:
                    if (FoldBinary(ref ins)) return;
                    break;

                case Opcode.Not or Opcode.Neg or Opcode.Sext8 or Opcode.Sext16 or Opcode.ZextTo64 or Opcode.SextTo64
                    or Opcode.Trunc or Opcode.Popcnt or Opcode.Ctz or Opcode.Clz or Opcode.Bswap:
                    if (FoldUnary(ins)) return;
                    break;
            }
            Emit(ins);
        }

        /// <summary>Folds or simplifies a two-operand op. True if the op was replaced; may also
        /// rewrite <paramref name="ins"/> (then returns false and the caller emits it).</summary>
        private bool FoldBinary(ref IrInstruction ins)
        {
            int a = ins.A, b = ins.B, dst = ins.Dst;
            bool ka = _known[a], kb = _known[b];
            ulong va = _value[a], vb = _value[b];
            IrType ty = ins.Type;
            ulong ones = ConstantEvaluator.AllOnes(ty);

            if (ka && kb)
            {
                if (ConstantEvaluator.TryBinary(ins.Op, ty, va, vb, out ulong r))
                {
                    FoldedConst(dst, r);
                    return true;
                }
                return false;
            }

            bool aIs(ulong v) => ka && va == v;
            bool bIs(ulong v) => kb && vb == v;

            switch (ins.Op)
            {
                case Opcode.Add:
                    if (bIs(0)) return Alias(dst, a);
                    if (aIs(0)) return Alias(dst, b);
                    break;
                case Opcode.Sub:
                    if (bIs(0)) return Alias(dst, a);
                    if (a == b) return SimplifiedConst(dst, 0);
                    break;
                case Opcode.Mul:
                    if (bIs(1)) return Alias(dst, a);
                    if (aIs(1)) return Alias(dst, b);
                    if (aIs(0) || bIs(0)) return SimplifiedConst(dst, 0);
                    break;
                case Opcode.And:
                    if (aIs(0) || bIs(0)) return SimplifiedConst(dst, 0);
                    if (bIs(ones)) return Alias(dst, a);
                    if (aIs(ones)) return Alias(dst, b);
                    if (a == b) return Alias(dst, a);
                    if (ka || kb) return AndOfAnd(ref ins, kb ? a : b, kb ? b : a);
                    break;
                case Opcode.Or:
                    if (bIs(0)) return Alias(dst, a);
                    if (aIs(0)) return Alias(dst, b);
                    if (a == b) return Alias(dst, a);
                    if (aIs(ones)) return Alias(dst, a);
                    if (bIs(ones)) return Alias(dst, b);
                    break;
                case Opcode.Xor:
                    if (bIs(0)) return Alias(dst, a);
                    if (aIs(0)) return Alias(dst, b);
                    if (a == b) return SimplifiedConst(dst, 0);
                    break;
                case Opcode.Shl or Opcode.Shr or Opcode.Sar:
                    if (bIs(0)) return Alias(dst, a);
                    if (aIs(0)) return Alias(dst, a);
                    break;
                case Opcode.UDiv or Opcode.SDiv:
                    if (bIs(1)) return Alias(dst, a);
                    break;
                case Opcode.URem or Opcode.SRem:
                    if (bIs(1)) return SimplifiedConst(dst, 0);
                    break;
                case Opcode.Eq or Opcode.ULe or Opcode.SLe:
                    if (a == b) return SimplifiedConst(dst, 1);
                    break;
                case Opcode.Ne or Opcode.ULt or Opcode.SLt:
                    if (a == b) return SimplifiedConst(dst, 0);
                    break;
            }
            return false;
        }

        /// <summary>And(x, c2) where x = And(y, c1): becomes x itself when c1&amp;c2 == c1, else
        /// And(y, c1&amp;c2) (reusing a constant temp when one holds that value).</summary>
        private bool AndOfAnd(ref IrInstruction ins, int x, int cTemp)
        {
            int d = _def[x];
            if (d < 0) return false;
            IrInstruction inner = _out[d];
            if (inner.Op != Opcode.And || inner.Type != ins.Type) return false;
            int y, c1Temp;
            if (_known[inner.B]) { y = inner.A; c1Temp = inner.B; }
            else if (_known[inner.A]) { y = inner.B; c1Temp = inner.A; }
            else return false;
            ulong c1 = _value[c1Temp], c2 = _value[cTemp], both = c1 & c2;
            if (both == c1) return Alias(ins.Dst, x);
            if (both == 0) return SimplifiedConst(ins.Dst, 0);
            int bothTemp = both == c2 ? cTemp : NewConst(ins.Type, both);
            ins.A = y;
            ins.B = bothTemp;
            if (_stats != null) _stats.IdentitiesSimplified++;
            _changes++;
            return false;
        }

        private bool FoldUnary(IrInstruction ins)
        {
            int a = ins.A;
            if (_known[a])
            {
                if (ConstantEvaluator.TryUnary(ins.Op, ins.Type, _value[a], out ulong r))
                {
                    FoldedConst(ins.Dst, r);
                    return true;
                }
                return false;
            }
            int d = _def[a];
            if (d < 0) return false;
            IrInstruction inner = _out[d];
            switch (ins.Op)
            {
                case Opcode.Not when inner.Op == Opcode.Not && inner.Type == ins.Type:
                case Opcode.Neg when inner.Op == Opcode.Neg && inner.Type == ins.Type:
                case Opcode.Trunc when inner.Op is Opcode.ZextTo64 or Opcode.SextTo64:
                    return Alias(ins.Dst, inner.A);
            }
            return false;
        }

        private bool TryFoldHelper(IrInstruction ins)
        {
            HelperDescriptor h = _block.Helpers[ins.Aux];
            if (!h.Pure || h.MayFault || h.TouchesState) return false;
            for (int k = 0; k < 4; k++)
            {
                int t = ins.Operand(k);
                if (t >= 0 && !_known[t]) return false;
            }
            ulong result;
            try
            {
                result = h.Managed(null, Arg(ins.A), Arg(ins.B), Arg(ins.C), Arg(ins.D));
            }
            catch (Exception)
            {
                return false;
            }
            if (_types[ins.Dst] == IrType.I32) result = (uint)result;
            EmitConst(ins.Dst, result);
            if (_stats != null) _stats.HelpersFolded++;
            _changes++;
            return true;
        }

        private ulong Arg(int t) => t < 0 ? 0 : _value[t];

        private bool Alias(int dst, int src)
        {
            _rename[dst] = src;
            if (_stats != null) _stats.IdentitiesSimplified++;
            _changes++;
            return true;
        }

        private void FoldedConst(int dst, ulong value)
        {
            EmitConst(dst, value);
            if (_stats != null) _stats.ConstantsFolded++;
            _changes++;
        }

        private bool SimplifiedConst(int dst, ulong value)
        {
            EmitConst(dst, value);
            if (_stats != null) _stats.IdentitiesSimplified++;
            _changes++;
            return true;
        }

        private void EmitConst(int dst, ulong value) =>
            Emit(new IrInstruction
            {
                Op = Opcode.Const, Type = _types[dst], Dst = dst, A = -1, B = -1, C = -1, D = -1, Imm = (long)value,
            });

        private int NewConst(IrType type, ulong value)
        {
            _types.Add(type);
            int t = _types.Count - 1;
            if (t >= _rename.Length)
            {
                int size = Math.Max(_rename.Length * 2, t + 1);
                int old = _rename.Length;
                Array.Resize(ref _rename, size);
                for (int k = old; k < size; k++) _rename[k] = k;
                Array.Resize(ref _known, size);
                Array.Resize(ref _value, size);
                Array.Resize(ref _def, size);
                Array.Fill(_def, -1, old, size - old);
            }
            EmitConst(t, value);
            return t;
        }

        private void Emit(in IrInstruction ins)
        {
            if (_w == _out.Length) Array.Resize(ref _out, _out.Length * 2);
            if (ins.HasDst)
            {
                _def[ins.Dst] = _w;
                if (ins.Op == Opcode.Const)
                {
                    _known[ins.Dst] = true;
                    _value[ins.Dst] = (ulong)ins.Imm;
                }
            }
            _out[_w++] = ins;
        }
    }
}
