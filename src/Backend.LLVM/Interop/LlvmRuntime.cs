using System.Reflection;
using System.Runtime.InteropServices;

namespace Transmeta.Backend.LLVM.Interop;

/// <summary>LLVM is missing or unusable on this machine; the message says what to install.</summary>
public sealed class LlvmUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An LLVM call reported an error.</summary>
public sealed class LlvmException(string message) : Exception(message);

/// <summary>
/// Loading libLLVM and the one-time, process-wide LLVM set-up (the X86 target), plus the small
/// helpers every LLVM-C call site needs (messages LLVM allocates, LLVMErrorRef).
/// </summary>
public static unsafe class LlvmRuntime
{
    /// <summary>Environment variable naming the libLLVM 19 shared library to load instead of the
    /// system's (a path, or a name the loader can find).</summary>
    public const string LibraryVariable = "TRANSMETA_LLVM_LIBRARY";

    /// <summary>Environment variable with LLVM command-line options (as for llc, e.g.
    /// <c>-regalloc=basic</c>), applied once per process: for experiments.</summary>
    public const string OptionsVariable = "TRANSMETA_LLVM_OPTIONS";

    /// <summary>What to tell the user when libLLVM cannot be loaded.</summary>
    public const string InstallHint =
        "install Debian's LLVM 19 runtime library with `sudo apt-get install libllvm19` (it provides libLLVM-19.so); " +
        "the interp and il backends do not need it";

    private static readonly object Gate = new();

    /// <summary>The loaded libLLVM's version (after <see cref="EnsureInitialized"/>).</summary>
    public static Version? Version { get; private set; }
    private static bool _initialized;
    private static LlvmUnavailableException? _failure;

    /// <summary>Installs the library resolver when this assembly loads, before any LLVM call.</summary>
#pragma warning disable CA2255 // a module initializer in a library is the point here
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void InstallResolver() =>
        NativeLibrary.SetDllImportResolver(typeof(LlvmRuntime).Assembly, Resolve);

    /// <summary>The library name asked for, or the override, or Debian's file names.</summary>
    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LlvmNative.Library) return 0;
        string? overridePath = Environment.GetEnvironmentVariable(LibraryVariable);
        if (!string.IsNullOrEmpty(overridePath))
            return NativeLibrary.TryLoad(overridePath, out nint h) ? h
                : throw new DllNotFoundException($"{LibraryVariable}={overridePath}: cannot be loaded");
        foreach (string candidate in new[] { "libLLVM-19.so", "libLLVM.so.19.1", "libLLVM-19.so.1" })
            if (NativeLibrary.TryLoad(candidate, out nint h)) return h;
        return 0; // let the runtime probe (and fail with its own message)
    }

    /// <summary>True when libLLVM 19 loads and its X86 target initializes; otherwise
    /// <paramref name="message"/> is one line saying what is missing and how to install it.</summary>
    public static bool IsAvailable(out string message)
    {
        try
        {
            EnsureInitialized();
            message = "";
            return true;
        }
        catch (LlvmUnavailableException e)
        {
            message = e.Message;
            return false;
        }
    }

    /// <summary>Loads libLLVM and initializes the X86 target once per process; throws
    /// <see cref="LlvmUnavailableException"/> (every time) if that is impossible.</summary>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_initialized) return;
            if (_failure is not null) throw _failure;
            try
            {
                LlvmNative.LLVMGetVersion(out uint major, out uint minor, out uint patch);
                Version = new Version((int)major, (int)minor, (int)patch);
                if (major != 19)
                {
                    _failure = new LlvmUnavailableException(
                        $"LLVM backend unavailable: the loaded libLLVM is version {Version}, this backend needs LLVM 19; {InstallHint}");
                    throw _failure;
                }
                // LLVMInitializeNativeTarget() and friends are static inline in the C headers, so
                // there is no symbol to import: call the X86 initializers they would call.
                LlvmNative.LLVMInitializeX86TargetInfo();
                LlvmNative.LLVMInitializeX86Target();
                LlvmNative.LLVMInitializeX86TargetMC();
                LlvmNative.LLVMInitializeX86AsmPrinter();
                LlvmNative.LLVMInitializeX86AsmParser();
                if (Environment.GetEnvironmentVariable(OptionsVariable) is { Length: > 0 } options)
                    SetCommandLineOptions(options);
                _initialized = true;
            }
            catch (DllNotFoundException e)
            {
                string which = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } v
                    ? $"{v} (from {LibraryVariable})" : "libLLVM-19.so";
                _failure = new LlvmUnavailableException(
                    $"LLVM backend unavailable: cannot load {which}; {InstallHint}", e);
                throw _failure;
            }
            catch (EntryPointNotFoundException e)
            {
                _failure = new LlvmUnavailableException(
                    $"LLVM backend unavailable: the loaded libLLVM lacks an LLVM 19 function ({e.Message}); {InstallHint}", e);
                throw _failure;
            }
        }
    }

    private static void SetCommandLineOptions(string options)
    {
        string[] args = ["transmeta", .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        var handles = new nint[args.Length];
        try
        {
            for (int i = 0; i < args.Length; i++) handles[i] = Marshal.StringToCoTaskMemUTF8(args[i]);
            fixed (nint* argv = handles) LlvmNative.LLVMParseCommandLineOptions(args.Length, (byte**)argv, null);
        }
        finally
        {
            foreach (nint h in handles) Marshal.FreeCoTaskMem(h);
        }
    }

    /// <summary>Converts a <c>char*</c> LLVM allocated to a string and frees it with LLVMDisposeMessage.</summary>
    public static string? TakeMessage(nint message)
    {
        if (message == 0) return null;
        try { return Marshal.PtrToStringUTF8(message); }
        finally { LlvmNative.LLVMDisposeMessage(message); }
    }

    /// <summary>Throws <see cref="LlvmException"/> if <paramref name="error"/> (an LLVMErrorRef) is set, consuming it.</summary>
    public static void Check(nint error, string what)
    {
        if (error == 0) return;
        throw new LlvmException($"{what}: {ErrorMessage(error)}");
    }

    /// <summary>Consumes an LLVMErrorRef, ignoring it (used while freeing things).</summary>
    public static void ConsumeError(nint error)
    {
        if (error != 0) ErrorMessage(error);
    }

    private static string ErrorMessage(nint error)
    {
        nint text = LlvmNative.LLVMGetErrorMessage(error); // consumes the error
        try { return Marshal.PtrToStringUTF8(text) ?? "(no message)"; }
        finally { LlvmNative.LLVMDisposeErrorMessage(text); }
    }
}
