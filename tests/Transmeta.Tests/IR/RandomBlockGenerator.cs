using Transmeta.IR;
using static Transmeta.Tests.IR.IrTestKit;

namespace Transmeta.Tests.IR;

/// <summary>
/// Makes random but well-formed blocks for differential tests: arithmetic on constants and state,
/// overlapping i32/i64 state accesses, guest memory accesses that sometimes fault or hit
/// "translated code", helpers of every kind, forward branches, early exits and counted loops.
/// Every temp is used only where its definition has certainly run.
/// </summary>
public sealed class RandomBlockGenerator
{
    private static readonly int[] Offsets32 = [0, 4, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60];
    private static readonly int[] Offsets64 = [8, 16, 24, 40, 44, 48];
    private static readonly uint[] Interesting32 = [0, 1, 2, 31, 0x7F, 0x80, 0xFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xDEAD];
    /// <summary>Loop counters live here; nothing else touches these bytes.</summary>
    private const int CounterBase = 96;

    private readonly Random _rng;
    private readonly IrBuilder _b = Builder();
    private readonly List<int> _t32 = new(), _t64 = new();
    private uint _pc = 0x1000;
    private int _retired;
    private int _loopDepth, _regionDepth;

    public RandomBlockGenerator(int seed) => _rng = new Random(seed);

    public IrBlock Generate(int steps)
    {
        _b.InsnStart(_pc, 0);
        for (int i = 0; i < 3; i++) Def(_b.LoadState(Offsets32[_rng.Next(Offsets32.Length)]));
        Def(_b.LoadState(Offsets64[_rng.Next(Offsets64.Length)], IrType.I64));
        Body(steps);
        _b.StoreState(0, _b.Const(_pc + 2));
        _b.Exit(BlockExit.Jump, _retired + 1);
        IrBlock block = _b.Finish(0x1000);
        block.GuestInstructionCount = _retired + 1;
        return block;
    }

    private void Body(int steps)
    {
        for (int i = 0; i < steps; i++) Step();
    }

    private bool Chance(int percent) => _rng.Next(100) < percent;

    private int Pick(List<int> temps) => temps[_rng.Next(temps.Count)];

    // The pools hold computed values only; constants are made fresh where needed, so that
    // most expressions are not constant (or every branch would fold and cut the block short).
    private int Any32()
    {
        if (_t32.Count == 0 || Chance(25)) return Const32();
        return Pick(_t32);
    }

    private int Any64()
    {
        if (_t64.Count == 0 || Chance(25))
        {
            return Chance(50)
                ? _b.Const64(_rng.Next(3) switch { 0 => 0, 1 => 1, _ => (ulong)_rng.NextInt64() * 3 })
                : Def(_b.Unary(Chance(50) ? Opcode.ZextTo64 : Opcode.SextTo64, Any32()));
        }
        return Pick(_t64);
    }

    private int Const32()
    {
        uint v = Chance(60) ? Interesting32[_rng.Next(Interesting32.Length)] : (uint)_rng.Next() * 7u;
        return _b.Const(v);
    }

    private int Def(int t)
    {
        (_b.TypeOf(t) == IrType.I32 ? _t32 : _t64).Add(t);
        return t;
    }

    private void Step()
    {
        int kind = _rng.Next(100);
        if (kind < 8) NewInstruction();
        else if (kind < 18) Def(_b.LoadState(Offsets32[_rng.Next(Offsets32.Length)]));
        else if (kind < 22) Def(_b.LoadState(Offsets64[_rng.Next(Offsets64.Length)], IrType.I64));
        else if (kind < 36) _b.StoreState(Offsets32[_rng.Next(Offsets32.Length)], Any32());
        else if (kind < 40) _b.StoreState(Offsets64[_rng.Next(Offsets64.Length)], Any64());
        else if (kind < 60) Arithmetic(Chance(75) ? IrType.I32 : IrType.I64);
        else if (kind < 66) UnaryOp();
        else if (kind < 70) Def(_b.Select(Any32(), Any32(), Any32()));
        else if (kind < 75) MemoryLoad();
        else if (kind < 79) MemoryStore();
        else if (kind < 85) Helper();
        else if (kind < 91 && _regionDepth < 3) ForwardBranch();
        else if (kind < 94 && _regionDepth < 3) EarlyExit();
        else if (kind < 97 && _loopDepth < 2) Loop();
        else Arithmetic(IrType.I32);
    }

    private void NewInstruction()
    {
        _pc += (uint)_rng.Next(1, 6);
        _retired++;
        _b.InsnStart(_pc, _retired);
    }

    private void Arithmetic(IrType ty)
    {
        Func<int> any = ty == IrType.I32 ? Any32 : Any64;
        int a = any();
        int b = _rng.Next(10) switch
        {
            0 => a,                                                         // x op x
            1 => ty == IrType.I32 ? Const32Of(0) : _b.Const64(0),      // identities
            2 => ty == IrType.I32 ? Const32Of(1) : _b.Const64(1),
            3 => ty == IrType.I32 ? Const32Of(0xFFFF_FFFF) : _b.Const64(ulong.MaxValue),
            _ => any(),
        };
        if (Chance(20)) (a, b) = (b, a);
        int op = _rng.Next(20);
        switch (op)
        {
            case < 12:
                Opcode[] simple = [Opcode.Add, Opcode.Sub, Opcode.Mul, Opcode.And, Opcode.Or, Opcode.Xor,
                    Opcode.Eq, Opcode.Ne, Opcode.ULt, Opcode.ULe, Opcode.SLt, Opcode.SLe];
                Def(_b.Binary(simple[op], a, b));
                break;
            case < 15:
            {
                Opcode shift = op == 12 ? Opcode.Shl : op == 13 ? Opcode.Shr : Opcode.Sar;
                int count = Chance(50)
                    ? Const32Of((uint)_rng.Next(ty == IrType.I32 ? 32 : 64))
                    : Def(_b.And(Any32(), _b.Const(ty == IrType.I32 ? 31u : 63u)));
                Def(_b.Binary(shift, a, count));
                break;
            }
            case < 19:
            {
                Opcode div = (op - 15) switch { 0 => Opcode.UDiv, 1 => Opcode.SDiv, 2 => Opcode.URem, _ => Opcode.SRem };
                int one = ty == IrType.I32 ? _b.Const(1) : _b.Const64(1);
                int nonzero = Chance(20)
                    ? (ty == IrType.I32 ? Const32Of(0xFFFF_FFFF) : _b.Const64(ulong.MaxValue))
                    : Def(_b.Or(b, one));
                Def(_b.Binary(div, a, nonzero));
                break;
            }
            default:
                // And of And with constants.
                int m1 = ty == IrType.I32 ? _b.Const((uint)_rng.Next()) : _b.Const64((ulong)_rng.NextInt64());
                int m2 = ty == IrType.I32 ? _b.Const((uint)_rng.Next()) : _b.Const64((ulong)_rng.NextInt64());
                Def(_b.And(Def(_b.And(a, m1)), m2));
                break;
        }
    }

    private int Const32Of(uint v) => _b.Const(v);

    private void UnaryOp()
    {
        switch (_rng.Next(10))
        {
            case 0: Def(_b.Not(Chance(50) ? Any32() : Def(_b.Not(Any32())))); break;
            case 1: Def(_b.Neg(Chance(50) ? Any64() : Def(_b.Neg(Any64())))); break;
            case 2: Def(_b.Unary(Chance(50) ? Opcode.Sext8 : Opcode.Sext16, Any32())); break;
            case 3: Def(_b.Unary(Opcode.Trunc, Any64())); break;
            case 4: Def(_b.Unary(Opcode.Trunc, Def(_b.Unary(Chance(50) ? Opcode.ZextTo64 : Opcode.SextTo64, Any32())))); break;
            case 5: Def(_b.Unary(Opcode.Popcnt, Any32())); break;
            case 6: Def(_b.Unary(Chance(50) ? Opcode.Ctz : Opcode.Clz, Def(_b.Or(Any32(), _b.Const(1))))); break;
            case 7: Def(_b.Unary(Opcode.Bswap, Any32())); break;
            case 8: Def(_b.Unary(Opcode.ZextTo64, Def(_b.Unary(Opcode.Trunc, Any64())))); break;
            default: Def(_b.Unary(Chance(50) ? Opcode.ZextTo64 : Opcode.SextTo64, Any32())); break;
        }
    }

    /// <summary>An address in memory, now and then past its end (a fault).</summary>
    private int Address() => Def(_b.And(Any32(), _b.Const(Chance(10) ? 0x1FFFu : 0xFFFu)));

    private void MemoryLoad()
    {
        int size = _rng.Next(3) switch { 0 => 1, 1 => 2, _ => 4 };
        Def(_b.Load(size, Address()));
    }

    private void MemoryStore()
    {
        int size = _rng.Next(3) switch { 0 => 1, 1 => 2, _ => 4 };
        _b.Store(size, Address(), Any32());
    }

    private void Helper()
    {
        int id = _rng.Next(4);
        int a = id == HFault && Chance(30) ? Const32Of(0xDEAD) : Any32();
        int b = Chance(50) ? Any32() : -1;
        // The state the touch helper changes, known before the call and read after it.
        if (id == HTouch && Chance(50)) Def(_b.LoadState(TouchOffset));
        int t = _b.CallHelper(id, a, b);
        _t64.Add(t);
        if (id == HTouch && Chance(50)) _b.StoreState(Offsets32[_rng.Next(Offsets32.Length)], _b.LoadState(TouchOffset));
    }

    private (int T32, int T64) Scope() => (_t32.Count, _t64.Count);

    private void EndScope((int T32, int T64) s)
    {
        _t32.RemoveRange(s.T32, _t32.Count - s.T32);
        _t64.RemoveRange(s.T64, _t64.Count - s.T64);
    }

    private void ForwardBranch()
    {
        int skip = _b.NewLabel();
        _b.BranchIf(Condition(), skip);
        var scope = Scope();
        _regionDepth++;
        Body(_rng.Next(1, 8));
        _regionDepth--;
        if (Chance(30)) _b.Jump(skip);   // sometimes jump to the label right after
        EndScope(scope);
        _b.MarkLabel(skip);
    }

    private void EarlyExit()
    {
        int skip = _b.NewLabel();
        // Rarely constant: a never-taken skip makes the rest of the block unreachable.
        _b.BranchIf(Chance(90) ? Def(_b.Binary(Opcode.ULt, Any32(), Any32())) : Condition(), skip);
        var scope = Scope();
        _regionDepth++;
        Body(_rng.Next(0, 4));
        _regionDepth--;
        _b.StoreState(0, _b.Const(_pc + 1));
        _b.Exit(Chance(50) ? BlockExit.Jump : BlockExit.Hypercall, _retired + 1);
        if (Chance(30)) _b.StoreState(20, Any32());     // dead code after an exit
        EndScope(scope);
        _b.MarkLabel(skip);
    }

    private void Loop()
    {
        int counter = CounterBase + 4 * _loopDepth;
        _b.StoreState(counter, _b.Const(0));
        int top = _b.NewLabel();
        _b.MarkLabel(top);
        _loopDepth++;
        Body(_rng.Next(1, 10));
        _loopDepth--;
        int next = _b.Add(_b.LoadState(counter), _b.Const(1));
        _b.StoreState(counter, next);
        _b.BranchIf(_b.ULt(next, _b.Const((uint)_rng.Next(1, 5))), top);
        // Temps defined in the body stay usable: the body runs at least once.
    }

    /// <summary>A condition; constant now and then so branches fold.</summary>
    private int Condition()
    {
        return _rng.Next(6) switch
        {
            0 => Const32Of(0),
            1 => Const32Of(1),
            2 => Any32(),
            _ => Def(_b.Binary(Chance(50) ? Opcode.ULt : Opcode.Eq, Any32(), Any32())),
        };
    }
}
