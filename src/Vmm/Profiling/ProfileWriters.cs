using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Transmeta.Vmm.Profiling;

/// <summary>Writes a <see cref="ProfileReport"/> as JSON, as a speedscope profile
/// (https://www.speedscope.app, "sampled" profiles) and as folded stacks (flamegraph.pl).</summary>
public static class ProfileWriters
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string ToJson(ProfileReport report) => JsonSerializer.Serialize(report, JsonOptions);

    public static ProfileReport? FromJson(string json) => JsonSerializer.Deserialize<ProfileReport>(json, JsonOptions);

    /// <summary>The frame a block is shown as: <c>blk_00101234 crc32_update+0x10</c>.</summary>
    public static string BlockFrame(BlockProfile b) => b.Symbol is null ? b.Name : $"{b.Name} {b.Symbol}";

    /// <summary>The function frame above a block: its symbol without the offset.</summary>
    public static string FunctionFrame(BlockProfile b)
    {
        if (b.Symbol is null) return "[no symbol]";
        int plus = b.Symbol.LastIndexOf("+0x", StringComparison.Ordinal);
        return plus > 0 ? b.Symbol[..plus] : b.Symbol;
    }

    /// <summary>Speedscope file: a "guest instructions" profile from the exact counters (stack:
    /// guest function, block; weight: instructions) and, when sampled, a "time" profile from the
    /// sampler's stacks (weight: milliseconds).</summary>
    public static string ToSpeedscope(ProfileReport report)
    {
        var frames = new List<string>();
        var index = new Dictionary<string, int>();
        int Frame(string name)
        {
            if (!index.TryGetValue(name, out int i))
            {
                i = frames.Count;
                frames.Add(name);
                index[name] = i;
            }
            return i;
        }

        var profiles = new List<object>();
        {
            var samples = new List<int[]>();
            var weights = new List<long>();
            foreach (BlockProfile b in report.Blocks.Where(b => b.GuestInstructions > 0))
            {
                samples.Add([Frame(FunctionFrame(b)), Frame(BlockFrame(b))]);
                weights.Add(b.GuestInstructions);
            }
            profiles.Add(new Dictionary<string, object>
            {
                ["type"] = "sampled",
                ["name"] = $"{report.Image} [{report.Backend}] guest instructions (exact counters)",
                ["unit"] = "none",
                ["startValue"] = 0,
                ["endValue"] = weights.Sum(),
                ["samples"] = samples,
                ["weights"] = weights,
            });
        }
        if (report.Sampling is { Stacks.Count: > 0 } s)
        {
            var samples = new List<int[]>();
            var weights = new List<double>();
            foreach (var (stack, count) in s.Stacks.OrderByDescending(p => p.Value))
            {
                samples.Add(stack.Split(';').Select(Frame).ToArray());
                weights.Add(count * s.IntervalMs);
            }
            profiles.Add(new Dictionary<string, object>
            {
                ["type"] = "sampled",
                ["name"] = $"{report.Image} [{report.Backend}] time (sampled every {s.IntervalMs:0.#} ms)",
                ["unit"] = "milliseconds",
                ["startValue"] = 0,
                ["endValue"] = weights.Sum(),
                ["samples"] = samples,
                ["weights"] = weights,
            });
        }
        var file = new Dictionary<string, object>
        {
            ["$schema"] = "https://www.speedscope.app/file-format-schema.json",
            ["name"] = $"transmeta {report.Image}",
            ["exporter"] = "transmeta",
            ["activeProfileIndex"] = report.Sampling is { Stacks.Count: > 0 } ? 1 : 0,
            ["shared"] = new Dictionary<string, object> { ["frames"] = frames.Select(f => new Dictionary<string, string> { ["name"] = f }).ToList() },
            ["profiles"] = profiles,
        };
        return JsonSerializer.Serialize(file, new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary>Folded stacks (<c>frame;frame;frame count</c>) for flamegraph.pl / inferno: the
    /// sampler's stacks when sampled, else the counters (weight: guest instructions).</summary>
    public static string ToFolded(ProfileReport report)
    {
        var sb = new StringBuilder();
        if (report.Sampling is { Stacks.Count: > 0 } s)
        {
            foreach (var (stack, count) in s.Stacks.OrderByDescending(p => p.Value))
                sb.Append(stack.Replace(' ', '_')).Append(' ').Append(count).Append('\n');
        }
        else
        {
            foreach (BlockProfile b in report.Blocks.Where(b => b.GuestInstructions > 0))
                sb.Append(FunctionFrame(b).Replace(' ', '_')).Append(';').Append(BlockFrame(b).Replace(' ', '_'))
                    .Append(' ').Append(b.GuestInstructions).Append('\n');
        }
        return sb.ToString();
    }
}
