using Transmeta.IR;
using Xunit;
using static Transmeta.Tests.Backends.BackendTestMachine;

namespace Transmeta.Tests.Backends;

/// <summary>
/// Random blocks (every opcode, forward branches, small loops, loads and stores over mapped,
/// slow, code and unmapped pages, helper calls), run on the interpreter, the IL backend and the LLVM backend from
/// the same random state: exit code, status, all of state and RAM, and slow-path traffic must agree.
/// </summary>
public sealed class BackendDifferentialTests
{
    private static readonly uint[] Edge32 = [0, 1, 2, 31, 32, 0x7F, 0x80, 0xFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE];
    private static readonly ulong[] Edge64 = [0, 1, 0xFFFFFFFF, 0x1_0000_0000, 0x7FFFFFFF_FFFFFFFF, 0x80000000_00000000, ulong.MaxValue];

    private sealed class Generator
    {
        private readonly Random _rng;
        private readonly IrBuilder _ir = BackendRunner.NewBuilder();
        private readonly List<int> _i32 = new();
        private readonly List<int> _i64 = new();
        private uint _pc = 0x00600000;
        private int _retired;

        public Generator(int seed) => _rng = new Random(seed);

        private int Pick32() => _i32[_rng.Next(_i32.Count)];
        private int Pick64() => _i64[_rng.Next(_i64.Count)];

        private void Add(int temp)
        {
            (_ir.TypeOf(temp) == IrType.I32 ? _i32 : _i64).Add(temp);
        }

        private int Const32() => _rng.Next(3) == 0 ? _ir.Const((uint)_rng.Next()) : _ir.Const(Edge32[_rng.Next(Edge32.Length)]);
        private int Const64() => _rng.Next(3) == 0
            ? _ir.Const64((ulong)_rng.NextInt64() * 3)
            : _ir.Const64(Edge64[_rng.Next(Edge64.Length)]);

        private void InsnStart()
        {
            _ir.InsnStart(_pc, _retired);
            _pc += (uint)_rng.Next(1, 8);
            _retired++;
        }

        /// <summary>An address: mostly inside guest RAM (any page, any alignment), sometimes unmapped.</summary>
        private int Address()
        {
            int roll = _rng.Next(20);
            if (roll == 0) return _ir.Const(Unmapped + (uint)_rng.Next(16));
            if (roll == 1) return _ir.Const(CodePage + (uint)_rng.Next(0x1000));
            int offset = _ir.And(Pick32(), _rng.Next(2) == 0 ? RamSize - 1 : 0x3FFCu);
            return _ir.Add(offset, _ir.Const(RamBase));
        }

        private void Op()
        {
            IrBuilder ir = _ir;
            bool wide = _rng.Next(3) == 0;
            switch (_rng.Next(16))
            {
                case 0 or 1 or 2:
                {
                    Opcode op = (Opcode)((int)Opcode.Add + _rng.Next(6)); // Add..Xor
                    Add(wide ? ir.Binary(op, Pick64(), Pick64()) : ir.Binary(op, Pick32(), Pick32()));
                    break;
                }
                case 3:
                {
                    Opcode op = (Opcode)((int)Opcode.Shl + _rng.Next(3));
                    int count = _rng.Next(2) == 0
                        ? ir.Const((uint)_rng.Next(wide ? 64 : 32))
                        : ir.And(Pick32(), wide ? 63u : 31u);
                    Add(ir.Binary(op, wide ? Pick64() : Pick32(), count));
                    break;
                }
                case 4:
                {
                    Opcode op = (Opcode)((int)Opcode.UDiv + _rng.Next(4));
                    int divisor;
                    if (_rng.Next(4) == 0) divisor = wide ? Const64() : Const32();
                    else divisor = wide ? Pick64() : Pick32();
                    // Never zero: the lifter guards division.
                    divisor = ir.Or(divisor, wide ? ir.Const64(1) : ir.Const(1));
                    if (_rng.Next(5) == 0) divisor = wide ? ir.Const64(ulong.MaxValue) : ir.Const(uint.MaxValue);
                    Add(ir.Binary(op, wide ? Pick64() : Pick32(), divisor));
                    break;
                }
                case 5:
                {
                    Opcode op = (Opcode)((int)Opcode.Eq + _rng.Next(6));
                    Add(wide ? ir.Binary(op, Pick64(), Pick64()) : ir.Binary(op, Pick32(), Pick32()));
                    break;
                }
                case 6:
                {
                    Opcode op = (Opcode)((int)Opcode.Not + _rng.Next(2));
                    Add(ir.Unary(op, wide ? Pick64() : Pick32()));
                    break;
                }
                case 7:
                    Add(wide ? ir.Select(Pick32(), Pick64(), Pick64()) : ir.Select(Pick32(), Pick32(), Pick32()));
                    break;
                case 8:
                {
                    Opcode op = (Opcode)((int)Opcode.Sext8 + _rng.Next(5)); // Sext8, Sext16, ZextTo64, SextTo64, Trunc
                    Add(ir.Unary(op, op == Opcode.Trunc ? Pick64() : Pick32()));
                    break;
                }
                case 9:
                {
                    Opcode op = (Opcode)((int)Opcode.Popcnt + _rng.Next(4));
                    int a = Pick32();
                    if (op is Opcode.Ctz or Opcode.Clz) a = ir.Or(a, ir.Const(1u << _rng.Next(32)));
                    Add(ir.Unary(op, a));
                    break;
                }
                case 10:
                    Add(wide ? Const64() : Const32());
                    break;
                case 11:
                    Add(ir.Load(1 << _rng.Next(3), Address()));
                    break;
                case 12:
                    ir.Store(1 << _rng.Next(3), Address(), Pick32());
                    break;
                case 13:
                    if (wide) ir.StoreState(Q(_rng.Next(4, 32)), Pick64());
                    else ir.StoreState(R(_rng.Next(8, 30)), Pick32());
                    break;
                case 14:
                    Add(wide ? ir.LoadState(Q(_rng.Next(0, 32)), IrType.I64) : ir.LoadState(R(_rng.Next(0, 30))));
                    break;
                default:
                {
                    int helper = _rng.Next(6) switch { 0 => TestHelpers.FaultIfZero, 1 => TestHelpers.ModifiesCode, _ => TestHelpers.Mix };
                    int Arg() => _rng.Next(4) switch { 0 => -1, 1 => Pick64(), _ => Pick32() };
                    int arg0 = helper == TestHelpers.FaultIfZero ? ir.Or(Pick32(), ir.Const(_rng.Next(8) == 0 ? 0u : 1u)) : Arg();
                    Add(ir.CallHelper(helper, arg0, Arg(), Arg(), Arg()));
                    break;
                }
            }
        }

        /// <summary>Ops, sometimes starting a new guest instruction; temporaries defined in a
        /// region that may be skipped are forgotten afterwards (they may be undefined).</summary>
        private void Ops(int count, int depth)
        {
            for (int n = 0; n < count; n++)
            {
                if (_rng.Next(4) == 0) InsnStart();
                int roll = _rng.Next(20);
                if (roll == 0 && depth < 3)
                {
                    // if (cond) skip a few ops
                    int skip = _ir.NewLabel();
                    _ir.BranchIf(Pick32(), skip);
                    int m32 = _i32.Count, m64 = _i64.Count;
                    Ops(_rng.Next(1, 6), depth + 1);
                    _ir.MarkLabel(skip);
                    _i32.RemoveRange(m32, _i32.Count - m32);
                    _i64.RemoveRange(m64, _i64.Count - m64);
                }
                else if (roll == 1 && depth < 2)
                {
                    // do { ops } while (--R(30 + depth) != 0), 1..3 iterations
                    int slot = R(30 + depth);
                    _ir.StoreState(slot, _ir.Const((uint)_rng.Next(1, 4)));
                    int loop = _ir.NewLabel();
                    _ir.MarkLabel(loop);
                    Ops(_rng.Next(1, 8), depth + 1);
                    int left = _ir.Sub(_ir.LoadState(slot), _ir.Const(1));
                    _ir.StoreState(slot, left);
                    _ir.BranchIf(_ir.Ne(left, _ir.Const(0)), loop);
                }
                else if (roll == 2)
                {
                    // an early exit
                    int stay = _ir.NewLabel();
                    _ir.BranchIf(_ir.Eq(_ir.And(Pick32(), 7u), _ir.Const(0)), stay);
                    _ir.Exit(_rng.Next(5), _retired);
                    _ir.MarkLabel(stay);
                }
                else Op();
            }
        }

        public IrBlock Build()
        {
            InsnStart();
            for (int i = 0; i < 8; i++) _i32.Add(_ir.LoadState(R(i)));
            for (int i = 0; i < 4; i++) _i64.Add(_ir.LoadState(Q(i), IrType.I64));
            _i32.Add(Const32());
            _i64.Add(Const64());
            Ops(_rng.Next(5, 60), 0);
            // Publish some results.
            for (int i = 0; i < 8; i++)
            {
                _ir.StoreState(R(8 + i), Pick32());
                _ir.StoreState(Q(4 + i), Pick64());
            }
            _ir.Exit(_rng.Next(5), _retired);
            return _ir.Finish(_pc);
        }
    }

    private static unsafe void RandomState(BackendTestMachine m, int seed)
    {
        var rng = new Random(seed ^ 0x5EED);
        var bytes = new byte[StateSize];
        rng.NextBytes(bytes);
        for (int i = 0; i < StateSize; i++) m.State[i] = bytes[i];
        // Make some registers interesting on purpose.
        for (int i = 0; i < 8; i++)
            if (rng.Next(3) == 0) m.Set32(R(i), Edge32[rng.Next(Edge32.Length)]);
    }

    /// <summary>Seeds 1..600 by default; set TRANSMETA_IL_FUZZ_SEEDS=N for a longer run.</summary>
    private static int SeedCount =>
        int.TryParse(Environment.GetEnvironmentVariable("TRANSMETA_IL_FUZZ_SEEDS"), out int n) && n > 0 ? n : 600;

    [Fact]
    public void RandomBlocksAgreeWithTheInterpreter()
    {
        for (int seed = 1; seed <= SeedCount; seed++)
        {
            IrBlock block = new Generator(seed).Build();
            int s = seed;
            try
            {
                BackendRunner.RunAll(block, m => RandomState(m, s), out _).Dispose();
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: {e.Message}\n{IrPrinter.Print(block)}");
            }
        }
    }
}
