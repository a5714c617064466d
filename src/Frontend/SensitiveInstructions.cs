using Iced.Intel;

namespace Transmeta.Frontend;

/// <summary>
/// The one list of instructions the frontend never lets a backend execute inline: each is
/// rewritten into a hypercall exit (Lifters/Sensitive.cs) the VMM performs. Privileged
/// instructions (MOV CRn, LGDT, LIDT, INVLPG, WRMSR, IRET, far transfers, ...) join this list as
/// the system-level families are implemented; until then they raise #UD.
/// </summary>
public static class SensitiveInstructions
{
    public static IReadOnlySet<Mnemonic> Mnemonics { get; } = new HashSet<Mnemonic>
    {
        Mnemonic.In, Mnemonic.Out,
        Mnemonic.Insb, Mnemonic.Insw, Mnemonic.Insd,
        Mnemonic.Outsb, Mnemonic.Outsw, Mnemonic.Outsd,
        Mnemonic.Hlt, Mnemonic.Cli, Mnemonic.Sti,
        Mnemonic.Cpuid, Mnemonic.Rdtsc,
    };

    /// <summary>Instructions sensitive only in some forms: MOV to a segment register and POP of
    /// a segment register load a descriptor (hypercall LoadSegment); other MOV/POP forms are not.</summary>
    public static bool IsSensitive(in Iced.Intel.Instruction insn) =>
        IsSensitive(insn.Mnemonic)
        || (insn.Mnemonic is Mnemonic.Mov or Mnemonic.Pop && insn.Op0Kind == OpKind.Register && insn.Op0Register.IsSegmentRegister());

    public static bool IsSensitive(Mnemonic mnemonic) => Mnemonics.Contains(mnemonic);
}
