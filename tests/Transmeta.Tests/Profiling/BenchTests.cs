using System.Xml.Linq;
using Transmeta.Tests.Support;
using Xunit;

namespace Transmeta.Tests.Profiling;

[Collection("Profiling")]
public class BenchTests
{
    [Fact]
    public void BenchPrintsATableOfMediansAndWritesAnSvgChart()
    {
        string dir = ProfilingTestKit.TempDir();
        try
        {
            string svg = Path.Combine(dir, "bench.svg");
            var (status, output, err) = ProfilingTestKit.Run("bench", GuestImageFiles.Image("crc32-small"), GuestImageFiles.Image("hello"),
                "--backends", "interp,il", "--runs", "1", "--svg", svg);
            Assert.True(status == 0, err);
            Assert.Contains("bench: crc32-small.elf [il] run 1/1", err);

            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            string[] header = lines[0].Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(["image", "backend", "wall s", "guest MIPS", "translate ms", "compile ms", "blocks compiled", "native B/insn", "speedup", "status"], header);
            Assert.Matches("^-+( +-+)+$", lines[1]);
            var rows = lines.Skip(2).Where(l => l.Contains(".elf")).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
            Assert.Equal(4, rows.Length);
            foreach (string[] row in rows)
            {
                Assert.Equal(10, row.Length);
                Assert.True(double.Parse(row[2]) > 0);   // wall
                Assert.True(double.Parse(row[3]) > 0);   // MIPS
                Assert.EndsWith("x", row[8]);            // speedup
                Assert.Equal("1", row[9]);               // the guest's exit status: (0 << 1) | 1
            }
            string[] interp = rows.First(r => r[0] == "crc32-small.elf" && r[1] == "interp");
            string[] il = rows.First(r => r[0] == "crc32-small.elf" && r[1] == "il");
            Assert.Equal("1.00x", interp[8]);
            Assert.Equal("-", interp[7]);                // the interpreter makes no native code
            Assert.True(double.Parse(il[7]) > 1);        // native bytes per guest instruction
            Assert.True(int.Parse(il[6]) > 0);           // blocks compiled

            XDocument doc = XDocument.Load(svg);
            XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(ns + "svg", doc.Root!.Name);
            var bars = doc.Descendants(ns + "rect").Where(r => r.Element(ns + "title") is not null).ToArray();
            Assert.Equal(4, bars.Length);
            Assert.Contains(bars, b => b.Element(ns + "title")!.Value.StartsWith("crc32-small.elf [il]"));
            Assert.All(bars, b => Assert.True(double.Parse(b.Attribute("height")!.Value) >= 0));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void UnknownBackendIsAUsageError()
    {
        var (status, _, err) = ProfilingTestKit.Run("bench", GuestImageFiles.Image("hello"), "--backends", "interp,jit9000");
        Assert.Equal(64, status);
        Assert.Contains("jit9000", err);
    }
}
