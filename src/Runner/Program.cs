using System.CommandLine;
using Transmeta.Runner.Commands;
using Transmeta.Vmm.Execution;

namespace Transmeta.Runner;

/// <summary>The <c>transmeta</c> command line.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // Do not make the user wait at the end for a background compile whose code nobody will
        // run; but a process must not exit normally while a thread is inside LLVM (its static
        // destructors would run under that thread), so then it ends without running them.
        Transmeta.Vmm.Execution.TieredCompilation.WaitForCompilerOnDispose = false;
        int status = Run(args, Console.Out, Console.Error);
        if (Transmeta.Vmm.Execution.TieredCompilation.CompilesRunning > 0)
        {
            Console.Out.Flush();
            Console.Error.Flush();
            ImmediateExit(status);
        }
        return status;
    }

    /// <summary>libc's <c>_exit</c>: ends the process at once, without atexit handlers or C++
    /// static destructors (our files and streams are flushed by then).</summary>
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "_exit")]
    private static extern void ImmediateExit(int status);

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
