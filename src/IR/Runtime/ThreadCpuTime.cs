using System.Runtime.InteropServices;

namespace Transmeta.IR;

/// <summary>CPU time consumed by the calling thread (Linux CLOCK_THREAD_CPUTIME_ID; zero
/// elsewhere). Wall-clock times are inflated when other processes compete for the CPU; this is
/// not, which is what the statistics of a shared, noisy machine need.</summary>
public static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);

    public static TimeSpan Now
    {
        get
        {
            if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out Timespec t) != 0) return TimeSpan.Zero;
            return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
        }
    }
}
