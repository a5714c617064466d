using System.Collections.Concurrent;
using System.Text;
using Transmeta.Tests.Support;
using Xunit;

namespace Transmeta.Tests.Fpu;

/// <summary>
/// Thousands of x87 cases recorded on the test host's FPU (Fpu/Data/*.txt, made by
/// Recorder/gen.py): random and edge operands (denormals, pseudo-denormals, unsupported
/// encodings, ±0, ±∞, QNaN/SNaN, values at the single/double/extended overflow and underflow
/// limits, significands at the 24/53/64-bit rounding points) under random control words (every
/// precision control, every rounding mode, some exceptions unmasked). Every case runs on every
/// backend and must match bit for bit: the registers, status/control/tag words, the
/// last-instruction pointers, EFLAGS and memory.
/// </summary>
public class X87HardwareTests
{
    private const int Chunk = 250;

    public static readonly string[] Files = ["arith", "unary", "compare", "store", "load", "scale", "sequence", "edge", "difftest"];

    private static readonly ConcurrentDictionary<string, IReadOnlyList<X87Case>> Cache = new();

    private static IReadOnlyList<X87Case> Cases(string file) => Cache.GetOrAdd(file, X87Case.ReadFile);

    public static IEnumerable<object[]> Chunks()
    {
        foreach (object[] backend in TestBackends.Names)
            foreach (string file in Files)
            {
                if (!File.Exists(Path.Combine(X87Case.DataDirectory, file + ".txt"))) continue;
                int n = Cases(file).Count;
                for (int start = 0; start < n; start += Chunk)
                    yield return new object[] { backend[0], file, start };
            }
    }

    public static IEnumerable<object[]> TranscendentalChunks()
    {
        foreach (object[] backend in TestBackends.Names)
        {
            int n = Cases("transcendental").Count;
            for (int start = 0; start < n; start += Chunk)
                yield return new object[] { backend[0], start };
        }
    }

    [Theory]
    [MemberData(nameof(Chunks))]
    public void MatchesHardware(string backend, string file, int start) => Run(backend, file, start, approximate: false);

    /// <summary>FSIN FCOS FSINCOS FPTAN FPATAN F2XM1 FYL2X FYL2XP1: every result within one
    /// double-precision ulp of the hardware's, everything else (flags but C1, C2, tags, stack) exact.</summary>
    [Theory]
    [MemberData(nameof(TranscendentalChunks))]
    public void TranscendentalsMatchHardware(string backend, int start) => Run(backend, "transcendental", start, approximate: true);

    /// <summary>Transcendental cases reduced from mismatches of the differential tester.</summary>
    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void DiffTestTranscendentalsMatchHardware(string backend) => Run(backend, "difftest-transcendental", 0, approximate: true);

    private static void Run(string backend, string file, int start, bool approximate)
    {
        IReadOnlyList<X87Case> cases = Cases(file);
        using var r = new SnippetRunner(TestBackends.Create(backend));
        var failures = new StringBuilder();
        int failed = 0;
        for (int i = start; i < Math.Min(start + Chunk, cases.Count); i++)
        {
            X87Case c = cases[i];
            string problems;
            try
            {
                problems = c.Check(r, approximate);
            }
            catch (Exception ex)
            {
                problems = ex.GetType().Name + ": " + ex.Message + "\n";
            }
            if (problems.Length == 0) continue;
            if (++failed <= 12) failures.Append($"--- {c.Name} ({c.Asm})\n{c.Line}\n{problems}");
        }
        Assert.True(failed == 0, $"{failed} case(s) differ from the hardware on {backend}:\n{failures}");
    }
}
