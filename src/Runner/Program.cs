using System.CommandLine;
using Transmeta.Runner.Commands;
using Transmeta.Vmm.Execution;

namespace Transmeta.Runner;

/// <summary>The <c>transmeta</c> command line.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Transmeta: a 32-bit x86 virtual machine that runs guests by dynamic binary translation.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(Transmeta.Runner.Sampler.SampleAttachCommand.Create());

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"transmeta: {error.Message}");
            stderr.WriteLine("Try 'transmeta --help'.");
            return ExitStatus.UsageError;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
