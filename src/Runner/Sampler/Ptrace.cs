using System.Runtime.InteropServices;

namespace Transmeta.Runner.Sampler;

/// <summary>The few Linux calls the sampler needs: stop one thread of another process
/// (PTRACE_SEIZE + PTRACE_INTERRUPT), wait for the stop, let it go (PTRACE_DETACH).</summary>
internal static partial class Ptrace
{
    private const int PTRACE_DETACH = 17;
    private const int PTRACE_SEIZE = 0x4206;
    private const int PTRACE_INTERRUPT = 0x4207;
    private const int WALL = 0x40000000;
    private const int PR_SET_PTRACER = 0x59616d61;
    private const int SIGTRAP = 5;

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint ptrace(nint request, int pid, nint addr, nint data);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitpid(int pid, out int status, int options);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    private static partial int gettid();

    public static int CurrentThreadId() => gettid();

    public static bool ProcessAlive(int pid) => kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM */;

    /// <summary>Lets any process trace this one (matters where Yama's ptrace_scope is 1).</summary>
    public static void AllowAnyTracer()
    {
        try { prctl(PR_SET_PTRACER, unchecked((nuint)(-1)), 0, 0, 0); } catch { }
    }

    /// <summary>Stops thread <paramref name="tid"/>; returns false (and errno text) if it cannot.
    /// A signal that arrived meanwhile is returned in <paramref name="pendingSignal"/> to be
    /// delivered on <see cref="Release"/>.</summary>
    public static bool Stop(int tid, out int pendingSignal, out string? error)
    {
        pendingSignal = 0;
        error = null;
        if (ptrace(PTRACE_SEIZE, tid, 0, 0) < 0)
        {
            error = $"PTRACE_SEIZE {tid}: errno {Marshal.GetLastPInvokeError()}";
            return false;
        }
        if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
        {
            error = $"PTRACE_INTERRUPT {tid}: errno {Marshal.GetLastPInvokeError()}";
            ptrace(PTRACE_DETACH, tid, 0, 0);
            return false;
        }
        if (waitpid(tid, out int status, WALL) < 0)
        {
            error = $"waitpid {tid}: errno {Marshal.GetLastPInvokeError()}";
            return false;
        }
        if ((status & 0x7f) != 0x7f && (status & 0xff) != 0x7f)
        {
            error = $"thread {tid} exited";
            return false;
        }
        int sig = (status >> 8) & 0xff;
        int ev = status >> 16;
        if (ev == 0 && sig != SIGTRAP) pendingSignal = sig; // a signal-delivery stop: pass the signal on
        return true;
    }

    public static void Release(int tid, int pendingSignal) => ptrace(PTRACE_DETACH, tid, 0, pendingSignal);
}
