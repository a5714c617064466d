using Transmeta.Backend.LLVM;
using Transmeta.IR;
using Xunit;

namespace Transmeta.Tests.Backends;

/// <summary>
/// Runs hand-built blocks on the interpreter (the reference), the IL backend and the LLVM
/// backend, each on a fresh <see cref="BackendTestMachine"/>, and checks that all three leave
/// identical exit codes, status, state, RAM, slow-path and helper traffic. The test machine
/// only sets the managed slow paths and the test helpers only have managed entry points, so
/// these tests also exercise the LLVM backend's thunks (<c>NativeThunks</c>) on every miss and call.
/// </summary>
public static unsafe class LlvmRunner
{
    private static readonly Lazy<LlvmCompiler> Shared = new(() => new LlvmCompiler(new LlvmCompilerOptions { Verify = true }));

    /// <summary>One compiler for all tests (it is thread-safe), as the VMM has one per machine.</summary>
    public static LlvmCompiler Llvm => Shared.Value;

    /// <summary>Same as <see cref="BackendRunner.RunBoth"/>, plus LLVM; returns the LLVM run's machine.</summary>
    public static BackendTestMachine RunAll(IrBlock block, Action<BackendTestMachine>? setup, out int exitCode)
    {
        BackendTestMachine.Snapshot reference;
        using (BackendTestMachine both = BackendRunner.RunBoth(block, setup, out int ilExit))
            reference = both.Take(ilExit);
        var m = new BackendTestMachine();
        setup?.Invoke(m);
        exitCode = Llvm.Compile(block).Execute(m.Ctx);
        BackendTestMachine.Snapshot actual = m.Take(exitCode);
        try
        {
            BackendRunner.AssertSame(reference, actual, block);
        }
        catch (Exception e)
        {
            m.Dispose();
            throw new Xunit.Sdk.XunitException($"LLVM differs from interp/il: {e.Message}");
        }
        return m;
    }
}
