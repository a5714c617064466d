namespace Transmeta.IR;

/// <summary>
/// The operations of the IR. The IR is a linear list of three-address instructions over typed
/// temporaries (each temporary is assigned exactly once), with labels for control flow inside a
/// block. It knows nothing of x86: guest state is a byte array addressed by offset, guest memory
/// is a flat 32-bit address space, and anything architecture-specific is a helper call.
/// </summary>
public enum Opcode : byte
{
    /// <summary>Dst = Imm.</summary>
    Const,

    /// <summary>Dst = state[Imm] (I32: 4 bytes, I64: 8 bytes).</summary>
    LoadState,
    /// <summary>state[Imm] = A (width from the type of A).</summary>
    StoreState,

    /// <summary>Dst = guest memory[A], Size bytes: 1, 2 or 4 (I32, zero-extended) or 8 (I64).
    /// May fault.</summary>
    Load,
    /// <summary>guest memory[A] = low Size bytes of B (I32, or I64 for 8). May fault; an 8-byte
    /// store that crosses into a page that faults may have written its low half.</summary>
    Store,

    /// <summary>Dst (I64) = the host address of guest memory[A] when the Imm bytes from A can be
    /// read (Aux bit 0, <see cref="ProbeRights.Read"/>) and written (bit 1,
    /// <see cref="ProbeRights.Write"/>) as plain host memory: RAM, and for a write no page that
    /// holds translated code. Else 0. Never faults and changes no guest state (it may fill the
    /// soft TLB). <see cref="HostLoad"/> and <see cref="HostStore"/> then reach those bytes
    /// without a check each (<see cref="Passes.GuestAccessGrouping"/>).</summary>
    MemProbe,
    /// <summary>Dst = host memory[A + Imm], Size bytes (as <see cref="Load"/>): A is a
    /// <see cref="MemProbe"/> result known to be nonzero, and Imm + Size is within its range.</summary>
    HostLoad,
    /// <summary>host memory[A + Imm] = low Size bytes of B (as <see cref="Store"/>), under the
    /// same rule as <see cref="HostLoad"/>.</summary>
    HostStore,

    // Integer arithmetic on I32 or I64 (both operands and the result have the instruction's type).
    Add, Sub, Mul, And, Or, Xor,
    /// <summary>Shifts: the count B (always I32) is less than the bit width; the lifter masks it.</summary>
    Shl, Shr, Sar,
    /// <summary>Unsigned/signed division and remainder. B is never zero (the lifter guards it);
    /// signed overflow (MIN / -1) wraps: quotient MIN, remainder 0.</summary>
    UDiv, SDiv, URem, SRem,
    Not, Neg,

    // Comparisons: Dst (I32) = 0 or 1; operands of the instruction's type.
    Eq, Ne, ULt, ULe, SLt, SLe,
    /// <summary>Dst = A != 0 ? B : C (A is I32; B, C and Dst of the instruction's type).</summary>
    Select,

    /// <summary>I32: sign-extend the low 8 / 16 bits.</summary>
    Sext8, Sext16,
    /// <summary>I32 -> I64.</summary>
    ZextTo64, SextTo64,
    /// <summary>I64 -> I32 (low half).</summary>
    Trunc,

    /// <summary>Bit counting, on I32. Ctz and Clz are only used on nonzero values.</summary>
    Popcnt, Ctz, Clz, Bswap,

    /// <summary>Extended-precision arithmetic and conversions (<see cref="ExtendedOperation"/>):
    /// operation Imm (<see cref="ExtOp"/>) on A (I64 significand), B (I32 sign/exponent, low 16
    /// bits) and C, D (the second operand, the same way; unary operations ignore what they do not
    /// read); Dst is the part Aux (<see cref="ExtPart"/>) of the result, rounded to nearest-even
    /// at 64 bits with every exception masked. Defined for every operand. Pure: the parts of one
    /// operation are separate instructions with the same operands, which backends compute once;
    /// the exceptions it raises are <see cref="ExtRaise"/>, its rounding direction
    /// <see cref="ExtSetRoundedUp"/>.</summary>
    ExtArith,
    /// <summary>The exception flags of the <see cref="ExtArith"/> operation Aux (<see cref="ExtOp"/>)
    /// on A, B, C, D (<see cref="ExtendedArithmetic.Exceptions"/>) are OR-ed into the I32 state
    /// field at offset Imm. No Dst. A backend whose floating-point unit keeps sticky exception
    /// flags of its own may keep them there and OR them into the field only where state becomes
    /// observable (exits, helpers that touch state, loads of the field); such a unit raises them
    /// where it computes the operation, so nothing that may leave the block (a memory access, a
    /// helper that may fault or touches state, a branch, a label, an exit) comes between an
    /// operation's first ExtArith part and its ExtRaise (<see cref="IrVerifier"/> checks).</summary>
    ExtRaise,
    /// <summary>The I32 state field at offset Imm gets, in its <see cref="ExtendedArithmetic.RoundedUp"/>
    /// bit, the rounding direction of the <see cref="ExtArith"/> operation Aux on A, B, C, D (set
    /// when the rounding increased the magnitude); its other bits stay. No Dst. A backend may
    /// compute the bit only where the field is observed (exits, helpers that touch state, loads
    /// of the field), since the guest overwrites it at nearly every instruction.</summary>
    ExtSetRoundedUp,

    /// <summary>Dst (I64) = helper[Aux](context, A, B, C, D). Unused arguments are -1 (passed as 0).</summary>
    CallHelper,

    /// <summary>Marks the start of a guest instruction: Imm = its guest address, Aux = how many
    /// guest instructions of this block retired before it. Faults inside it exit with these.</summary>
    InsnStart,

    /// <summary>Label with id Aux.</summary>
    Label,
    /// <summary>Unconditional jump to label Aux.</summary>
    Jump,
    /// <summary>If A != 0 jump to label Aux.</summary>
    BranchIf,
    /// <summary>Leave the block: the block returns Imm (an exit code) after adding Aux to the
    /// retired-instruction counter. The frontend has stored the next guest PC.</summary>
    Exit,
}

/// <summary>What a <see cref="Opcode.MemProbe"/> asks of its range (Aux bits).</summary>
[Flags]
public enum ProbeRights
{
    Read = 1,
    Write = 2,
}

