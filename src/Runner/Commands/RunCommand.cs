using System.CommandLine;
using Transmeta.Vmm;
using Transmeta.Vmm.Execution;
using Transmeta.Vmm.Loaders;

namespace Transmeta.Runner.Commands;

/// <summary><c>transmeta run IMAGE</c>: boots a Multiboot guest with COM1 on stdin/stdout.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var image = new Argument<FileInfo>("IMAGE") { Description = "Multiboot v1 kernel (ELF32, or a flat image with the a.out kludge)" };
        var backend = new Option<string>("--backend") { Description = "Translation backend (tiered: interpreter first, hot blocks compiled in the background)", DefaultValueFactory = _ => "tiered" };
        backend.AcceptOnlyFromAmong(BackendFactory.Names);
        var mem = new Option<int>("--mem") { Description = "Guest RAM in MiB", DefaultValueFactory = _ => 128 };
        mem.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v < 2 || v > 3072) r.AddError($"--mem must be between 2 and 3072 MiB (got {v})");
        });
        var maxInsns = new Option<ulong>("--max-instructions") { Description = "Stop after about N guest instructions (0 = no limit)" };
        var stats = new Option<bool>("--stats") { Description = "Print execution statistics to stderr at the end" };
        var codeSize = new Option<bool>("--code-size")
        {
            Description = "With --stats: also measure the native code of the IL units (a snapshot of the runtime's code map, which adds about 0.1 s after the guest ends)",
        };
        var cmdline = new Option<string?>("--cmdline") { Description = "Kernel command line passed in the Multiboot information" };
        var noOpt = new Option<bool>("--no-opt") { Description = "Do not run the IR optimization passes" };
        var dumpIr = new Option<DirectoryInfo?>("--dump-ir") { Description = "Write the IR of every translated block (after the passes) to DIR" };
        var tiers = new Option<string[]>("--tiers")
        {
            Description = $"With --backend tiered: the backends blocks climb through (default {string.Join(" ", BackendFactory.TierOrder)}; llvm is left out, with a note in --stats, when libLLVM is missing)",
            AllowMultipleArgumentsPerToken = true,
        };
        tiers.Validators.Add(r =>
        {
            foreach (string t in r.GetValueOrDefault<string[]>() ?? [])
                if (t is "tiered" || !BackendFactory.Names.Contains(t))
                    r.AddError($"--tiers: '{t}' is not a backend (choose from {string.Join(", ", BackendFactory.Names.Where(n => n != "tiered"))})");
        });
        var thresholds = new Option<long[]>("--tier-thresholds")
        {
            Description = $"With --backend tiered: guest instructions a block retires before each tier after the first compiles it (default {string.Join(" ", BackendFactory.DefaultTierThresholds.Skip(1))})",
            AllowMultipleArgumentsPerToken = true,
        };
        thresholds.Validators.Add(r =>
        {
            long[] v = r.GetValueOrDefault<long[]>() ?? [];
            if (v.Any(x => x < 0)) r.AddError("--tier-thresholds must not be negative");
            for (int i = 1; i < v.Length; i++)
                if (v[i] < v[i - 1]) r.AddError("--tier-thresholds must not decrease from one tier to the next");
        });
        var dumpLlvm = new Option<DirectoryInfo?>("--dump-llvm") { Description = "Write the LLVM IR of every unit the LLVM backend compiles (NAME.ll, and NAME.opt.ll after LLVM's passes) to DIR" };

        var command = new Command("run", "Run a guest image; its serial console (COM1) is stdin/stdout")
        {
            image, backend, mem, maxInsns, stats, codeSize, cmdline, noOpt, dumpIr, dumpLlvm, tiers, thresholds,
        };
        var profiling = ProfileOptions.AddTo(command);
        command.SetAction(parse => Execute(
            parse.GetValue(image)!, parse.GetValue(backend)!, parse.GetValue(mem), parse.GetValue(maxInsns),
            parse.GetValue(stats), parse.GetValue(cmdline), parse.GetValue(noOpt), parse.GetValue(dumpIr),
            parse.InvocationConfiguration.Error, profiling.Read(parse), parse.GetValue(dumpLlvm),
            parse.GetValue(tiers), parse.GetValue(thresholds), parse.GetValue(codeSize)));
        return command;
    }

    private static int Execute(FileInfo imageFile, string backendName, int memMiB, ulong maxInstructions,
        bool showStats, string? cmdline, bool noOpt, DirectoryInfo? dumpIr, TextWriter stderr, ProfileSettings? profile = null,
        DirectoryInfo? dumpLlvm = null, string[]? tierNames = null, long[]? tierThresholds = null, bool measureIlCode = false)
    {
        if (!imageFile.Exists)
        {
            stderr.WriteLine($"transmeta: {imageFile.FullName}: no such file");
            return ExitStatus.UsageError;
        }
        byte[] bytes = File.ReadAllBytes(imageFile.FullName);
        using var stdout = Console.OpenStandardOutput();
        if (backendName != "tiered" && (tierNames is { Length: > 0 } || tierThresholds is { Length: > 0 }))
        {
            stderr.WriteLine("transmeta: --tiers and --tier-thresholds apply only to --backend tiered");
            return ExitStatus.UsageError;
        }
        TieredCompilation? tiering;
        try
        {
            tiering = backendName == "tiered"
                ? BackendFactory.CreateTiered(tierThresholds is { Length: > 0 } ? [0, .. tierThresholds] : null,
                    tiers: tierNames is { Length: > 0 } ? tierNames : null)
                : null;
        }
        catch (Transmeta.Backend.LLVM.Interop.LlvmUnavailableException e)
        {
            stderr.WriteLine($"transmeta: {e.Message}"); // llvm as the first tier
            return ExitStatus.UsageError;
        }
        Transmeta.IR.IBlockCompiler backendCompiler;
        try
        {
            backendCompiler = tiering?.Tiers[0].Compiler ?? BackendFactory.Create(backendName);
        }
        catch (Transmeta.Backend.LLVM.Interop.LlvmUnavailableException e)
        {
            stderr.WriteLine($"transmeta: {e.Message}");
            return ExitStatus.UsageError;
        }
        using var machine = new Machine(new MachineOptions
        {
            MemoryMiB = memMiB,
            Backend = backendCompiler,
            Tiering = tiering,
            Output = stdout,
            Input = Console.IsInputRedirected ? Console.OpenStandardInput() : null,
        });
        machine.Engine.Optimize = !noOpt;
        if (dumpIr is not null)
        {
            dumpIr.Create();
            machine.Engine.BlockTranslated = ir =>
                File.WriteAllText(Path.Combine(dumpIr.FullName, ir.Name + ".ir"), Transmeta.IR.IrPrinter.Print(ir, Transmeta.Frontend.State.StateNames.Describe));
        }
        if (dumpLlvm is not null) LlvmRunOptions.DumpTo(dumpLlvm, backendCompiler, tiering);
        try
        {
            machine.LoadMultiboot(bytes, cmdline ?? imageFile.Name);
        }
        catch (ImageLoadException e)
        {
            stderr.WriteLine($"transmeta: {imageFile.Name}: {e.Message}");
            return ExitStatus.BadImage;
        }
        if (Console.IsInputRedirected) machine.Uart.StartInput();

        using var profiler = ProfileSession.Start(profile, machine, imageFile.Name, backendName, stderr);
        RunResult result = machine.Run(maxInstructions);
        profiler?.Finish(stderr);
        if (result.Reason is StopReason.InstructionLimit or StopReason.TripleFault || showStats)
            stderr.WriteLine($"transmeta: {result.Message}");
        if (showStats) StatsReport.Write(machine, backendName, stderr, measureIlCode);
        if (showStats) LlvmRunOptions.WriteStats(LlvmRunOptions.Compilers(backendCompiler, tiering), stderr);
        return result.ExitStatus;
    }
}
