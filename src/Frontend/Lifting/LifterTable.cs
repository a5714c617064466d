using Iced.Intel;

namespace Transmeta.Frontend.Lifting;

/// <summary>Lifts the current instruction of a <see cref="LiftContext"/> to IR.</summary>
public delegate void Lifter(LiftContext cx);

/// <summary>
/// Which lifter handles which mnemonic: an array indexed by Iced's <see cref="Mnemonic"/>,
/// filled by each instruction family's <c>AddTo</c> method (Lifters/*.cs).
/// </summary>
public sealed class LifterTable
{
    private readonly Lifter?[] _byMnemonic = new Lifter?[Enum.GetValues<Mnemonic>().Length + 1];

    public void Add(Mnemonic mnemonic, Lifter lifter)
    {
        if (_byMnemonic[(int)mnemonic] is not null)
            throw new InvalidOperationException($"two lifters for {mnemonic}");
        _byMnemonic[(int)mnemonic] = lifter;
    }

    public void Add(Lifter lifter, params Mnemonic[] mnemonics)
    {
        foreach (Mnemonic m in mnemonics) Add(m, lifter);
    }

    public Lifter? Find(Mnemonic mnemonic) => _byMnemonic[(int)mnemonic];

    public bool Supports(Mnemonic mnemonic) => Find(mnemonic) is not null;
}
