using System.CommandLine;

namespace Transmeta.Runner.Commands;

/// <summary>What <c>transmeta run</c>'s profiling options asked for.</summary>
public sealed record ProfileSettings
{
    public bool Profile { get; init; }
    public int Top { get; init; } = 20;
    public FileInfo? Symbols { get; init; }
    public DirectoryInfo? OutputDirectory { get; init; }
    public bool PerfMap { get; init; }
    public bool Sample { get; init; }
    public double SampleIntervalMs { get; init; } = 10;

    public bool Any => Profile || PerfMap || Sample;
}

/// <summary>The profiling options of <c>transmeta run</c>: <c>--profile</c>, <c>--top</c>,
/// <c>--symbols</c>, <c>--profile-out</c>, <c>--sample</c>, <c>--sample-interval</c>, <c>--perf-map</c>.</summary>
public sealed class ProfileOptions
{
    public Option<bool> Profile { get; } = new("--profile") { Description = "Print the hot blocks at the end and write the profile (JSON, speedscope, folded stacks)" };
    public Option<int> Top { get; } = new("--top") { Description = "Blocks in the --profile table", DefaultValueFactory = _ => 20 };
    public Option<FileInfo?> Symbols { get; } = new("--symbols") { Description = "Guest symbols from a Linux System.map (default: the guest ELF's symbol table)" };
    public Option<DirectoryInfo?> ProfileOut { get; } = new("--profile-out") { Description = "Directory for transmeta-profile.json, .speedscope.json and .folded (default: the current directory)" };
    public Option<bool> Sample { get; } = new("--sample") { Description = "Also sample where the time goes, from a second process (ClrMD); implies --profile" };
    public Option<double> SampleInterval { get; } = new("--sample-interval") { Description = "Milliseconds between samples", DefaultValueFactory = _ => 10 };
    public Option<bool> PerfMap { get; } = new("--perf-map") { Description = "Write /tmp/perf-PID.map naming the generated code of every block, for perf report" };

    public static ProfileOptions AddTo(Command command)
    {
        var o = new ProfileOptions();
        o.Top.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--top must be at least 1"); });
        o.SampleInterval.Validators.Add(r => { if (r.GetValueOrDefault<double>() < 0.5) r.AddError("--sample-interval must be at least 0.5 ms"); });
        command.Options.Add(o.Profile);
        command.Options.Add(o.Top);
        command.Options.Add(o.Symbols);
        command.Options.Add(o.ProfileOut);
        command.Options.Add(o.Sample);
        command.Options.Add(o.SampleInterval);
        command.Options.Add(o.PerfMap);
        return o;
    }

    public ProfileSettings Read(ParseResult parse) => new()
    {
        Profile = parse.GetValue(Profile) || parse.GetValue(Sample),
        Top = parse.GetValue(Top),
        Symbols = parse.GetValue(Symbols),
        OutputDirectory = parse.GetValue(ProfileOut),
        PerfMap = parse.GetValue(PerfMap),
        Sample = parse.GetValue(Sample),
        SampleIntervalMs = parse.GetValue(SampleInterval),
    };
}
