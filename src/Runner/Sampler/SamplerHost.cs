using System.Diagnostics;
using System.Text.Json;
using Transmeta.Frontend.State;
using Transmeta.Runner.Sampler;
using Transmeta.Vmm;
using Transmeta.Vmm.Profiling;

namespace Transmeta.Runner.Commands;

/// <summary>
/// The VM side of sampling: starts <c>transmeta sample-attach</c> on this process, naming the
/// calling thread (the one about to run the guest) and where the guest EIP lives; stops it and
/// reads its result after the run.
/// </summary>
public sealed unsafe class SamplerHost : IDisposable
{
    private readonly Process _process;
    private readonly string _resultPath;
    private readonly string _codemapPath;

    private SamplerHost(Process process, string resultPath, string codemapPath)
    {
        _process = process;
        _resultPath = resultPath;
        _codemapPath = codemapPath;
    }

    /// <summary>Starts the sampler on the current thread and waits until it is attached.</summary>
    public static SamplerHost Start(Machine machine, double intervalMs, TextWriter stderr)
    {
        int pid = Environment.ProcessId;
        int tid = Ptrace.CurrentThreadId();
        Ptrace.AllowAnyTracer();
        string codemap = NativeCodeRegistry.DefaultPublishPath(pid);
        NativeCodeRegistry.PublishPath = codemap;
        string result = Path.Combine(Path.GetTempPath(), $"transmeta-{pid}-{Guid.NewGuid():N}.samples.json");
        ulong eipAddress = (ulong)machine.Cpu + CpuState.OffEip;

        var psi = SelfCommand(["sample-attach", pid.ToString(), "--tid", tid.ToString(),
            "--interval", intervalMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--eip-address", eipAddress.ToString("x"), "--codemap", codemap, "--out", result]);
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.UseShellExecute = false;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the sampler");
        var host = new SamplerHost(process, result, codemap);
        var readLine = process.StandardOutput.ReadLineAsync();
        if (!readLine.Wait(TimeSpan.FromSeconds(30)) || readLine.Result != "ready")
        {
            string why = readLine.IsCompleted ? readLine.Result ?? "exited" : "no answer in 30 s";
            host.Dispose();
            throw new InvalidOperationException($"sampler did not attach: {why}");
        }
        return host;
    }

    /// <summary>How to run this same program with other arguments (apphost, or dotnet + dll).</summary>
    public static ProcessStartInfo SelfCommand(IEnumerable<string> args)
    {
        string dll = typeof(SamplerHost).Assembly.Location;
        string? process = Environment.ProcessPath;
        ProcessStartInfo psi;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "transmeta")
            psi = new ProcessStartInfo(process);
        else
        {
            string dotnet = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet"
                ? process
                : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            psi = new ProcessStartInfo(dotnet);
            psi.ArgumentList.Add(dll);
        }
        foreach (string a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Stops sampling and returns what was found (null if the sampler failed).</summary>
    public SampleResult? Stop(TextWriter stderr)
    {
        try
        {
            _process.StandardInput.WriteLine("stop");
            _process.StandardInput.Flush();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                stderr.WriteLine("transmeta: the sampler did not stop; killed");
                _process.Kill();
                return null;
            }
            if (!File.Exists(_resultPath))
            {
                stderr.WriteLine($"transmeta: the sampler wrote no result (exit status {_process.ExitCode})");
                return null;
            }
            return JsonSerializer.Deserialize<SampleResult>(File.ReadAllText(_resultPath), ProfileWriters.JsonOptions);
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(); } catch { }
        _process.Dispose();
        NativeCodeRegistry.PublishPath = null;
        try { File.Delete(_resultPath); } catch { }
        try { File.Delete(_codemapPath); } catch { }
    }
}
