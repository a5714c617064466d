namespace Transmeta.Tests.Support;

/// <summary>Finds the bundled guest images and their expected outputs (recorded from QEMU).</summary>
public static class GuestImageFiles
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "guest-images");
            if (Directory.Exists(Path.Combine(candidate, "bin"))) return candidate;
        }
        throw new DirectoryNotFoundException("tests/guest-images not found above " + AppContext.BaseDirectory);
    }

    public static string Image(string name) => Path.Combine(Root, "bin", name + ".elf");
    public static byte[] ExpectedOutput(string name) => File.ReadAllBytes(Path.Combine(Root, "expected", name + ".out"));
    public static int ExpectedStatus(string name) => int.Parse(File.ReadAllText(Path.Combine(Root, "expected", name + ".status")).Trim());

    /// <summary>The full-size CPU-bound programs (benchmarks).</summary>
    public static IReadOnlyList<string> Suite { get; } = ReadList("suite.txt");

    /// <summary>Every image that has an expected output.</summary>
    public static IReadOnlyList<string> All { get; } =
        Directory.GetFiles(Path.Combine(Root, "expected"), "*.out").Select(f => Path.GetFileNameWithoutExtension(f)!)
            .Where(n => File.Exists(Image(n))).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>Images quick enough for every backend, the interpreter included: all but the
    /// full-size suite (whose test-scale builds, NAME-small, stand in for it).</summary>
    public static IReadOnlyList<string> Quick { get; } = All.Where(n => !Suite.Contains(n)).ToArray();

    private static IReadOnlyList<string> ReadList(string file)
    {
        string path = Path.Combine(Root, file);
        return File.Exists(path)
            ? File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray()
            : Array.Empty<string>();
    }
}
