using System.Runtime.InteropServices;
using Transmeta.Backend.LLVM;
using Transmeta.Backend.LLVM.Interop;
using Xunit;

namespace Transmeta.Tests.Backends;

/// <summary>The LLVM backend refuses a host x87 that does not round as the control word 037F
/// (its extended-precision arithmetic runs there), with a clear error, and accepts the default.
/// The control word is changed on a thread of the test's own (it is per thread) by three bytes
/// of machine code, FLDCW [RDI]; RET, in a page mapped executable.</summary>
public sealed unsafe class LlvmHostPrecisionTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);
    [DllImport("libc")]
    private static extern int munmap(nint addr, nuint length);

    private const int ProtReadWriteExec = 7, MapPrivateAnonymous = 0x22;

    /// <summary>Constructs an LLVM compiler on a new thread whose x87 control word is
    /// <paramref name="controlWord"/>; returns what the constructor threw, or null.</summary>
    private static Exception? CreateUnder(ushort controlWord)
    {
        nint page = mmap(0, 4096, ProtReadWriteExec, MapPrivateAnonymous, -1, 0);
        Assert.NotEqual(-1, page);
        try
        {
            byte* code = (byte*)page;
            code[0] = 0xD9; // FLDCW [RDI]
            code[1] = 0x2F;
            code[2] = 0xC3; // RET
            var setControlWord = (delegate* unmanaged<ushort*, void>)page;
            Exception? thrown = null;
            var thread = new Thread(() =>
            {
                ushort cw = controlWord, standard = 0x037F;
                setControlWord(&cw);
                try
                {
                    _ = new LlvmCompiler();
                }
                catch (Exception e)
                {
                    thrown = e;
                }
                finally
                {
                    setControlWord(&standard);
                }
            });
            thread.Start();
            thread.Join();
            return thrown;
        }
        finally
        {
            munmap(page, 4096);
        }
    }

    [Theory]
    [InlineData((ushort)0x027F)] // precision control 53 bits
    [InlineData((ushort)0x007F)] // 24 bits
    [InlineData((ushort)0x0B7F)] // round up
    [InlineData((ushort)0x0F7F)] // round toward zero
    public void RefusesAnotherRounding(ushort controlWord)
    {
        Exception? e = CreateUnder(controlWord);
        var unavailable = Assert.IsType<LlvmUnavailableException>(e);
        Assert.Contains("037F", unavailable.Message);
    }

    [Fact]
    public void AcceptsTheDefault() => Assert.Null(CreateUnder(0x037F));
}
