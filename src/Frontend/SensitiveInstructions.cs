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

    public static bool IsSensitive(Mnemonic mnemonic) => Mnemonics.Contains(mnemonic);
}
