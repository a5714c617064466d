using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text;
using Iced.Intel;
using Transmeta.Backend.Il;
using Transmeta.Frontend.Decoding;
using Transmeta.Frontend.Lifting;
using Transmeta.Frontend.State;
using Transmeta.IR;
using Transmeta.IR.Passes;
using Transmeta.Runner.Profiling;
using Transmeta.Vmm;
using Transmeta.Vmm.Execution;
using Transmeta.Vmm.Loaders;
using Transmeta.Vmm.Profiling;

namespace Transmeta.Runner.Commands;

/// <summary>
/// <c>transmeta inspect IMAGE --at ADDR</c>: one guest block from guest assembly to native code:
/// the Iced disassembly, the IR before and after the passes, what the backend made of it (the IL
/// listing; the LLVM IR), the native code disassembled, and the expansion ratio.
/// </summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var image = new Argument<FileInfo>("IMAGE") { Description = "Multiboot v1 kernel (ELF32, or a flat image with the a.out kludge)" };
        var at = new Option<string>("--at") { Description = "Guest address of the block (hex, 0x optional) or a symbol name (optionally symbol+0xOFF)", Required = true };
        var backend = new Option<string>("--backend") { Description = "Backend whose output to show", DefaultValueFactory = _ => "il" };
        backend.AcceptOnlyFromAmong(BackendFactory.Names.Where(n => n != "tiered").ToArray());
        var symbols = new Option<FileInfo?>("--symbols") { Description = "Guest symbols from a Linux System.map (default: the guest ELF's symbol table)" };
        var mem = new Option<int>("--mem") { Description = "Guest RAM in MiB", DefaultValueFactory = _ => 128 };
        var noNative = new Option<bool>("--no-native") { Description = "Do not compile to native code and disassemble it" };
        var noRegions = new Option<bool>("--no-regions") { Description = "Translate the single block at ADDR, not the region the engine would join from it" };
        var command = new Command("inspect", "Show what becomes of one guest block: disassembly, IR before and after the passes, backend code, native code")
        {
            image, at, backend, symbols, mem, noNative, noRegions,
        };
        command.SetAction(parse => Execute(parse.GetValue(image)!, parse.GetValue(at)!, parse.GetValue(backend)!,
            parse.GetValue(symbols), parse.GetValue(mem), !parse.GetValue(noNative), !parse.GetValue(noRegions),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Parses <c>0x00100260</c>, <c>100260</c>, <c>main</c>, <c>main+0x100</c>.</summary>
    public static uint? ResolveAddress(string text, SymbolMap symbols)
    {
        text = text.Trim();
        uint offset = 0;
        string name = text;
        int plus = text.LastIndexOf('+');
        if (plus > 0)
        {
            string off = text[(plus + 1)..];
            if (!TryParseHex(off, out offset) && !uint.TryParse(off, out offset)) return null;
            name = text[..plus];
        }
        if (symbols.AddressOf(name) is { } addr) return addr + offset;
        if (plus < 0 && TryParseHex(text, out uint value)) return value;
        return null;
    }

    private static bool TryParseHex(string s, out uint value)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        return uint.TryParse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
    }

    private static int Execute(FileInfo imageFile, string at, string backendName, FileInfo? symbolFile, int memMiB, bool native, bool regions,
        TextWriter? stdout, TextWriter? stderr)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        if (!imageFile.Exists)
        {
            stderr.WriteLine($"transmeta: {imageFile.FullName}: no such file");
            return ExitStatus.UsageError;
        }
        if (symbolFile is { Exists: false })
        {
            stderr.WriteLine($"transmeta: {symbolFile.FullName}: no such file");
            return ExitStatus.UsageError;
        }
        IBlockCompiler compiler;
        try
        {
            compiler = BackendFactory.Create(backendName);
        }
        catch (Exception e)
        {
            stderr.WriteLine($"transmeta: backend {backendName}: {e.Message}");
            return ExitStatus.UsageError;
        }
        using var machine = new Machine(new MachineOptions { MemoryMiB = memMiB, Backend = compiler });
        try
        {
            machine.LoadMultiboot(File.ReadAllBytes(imageFile.FullName), imageFile.Name);
        }
        catch (ImageLoadException e)
        {
            stderr.WriteLine($"transmeta: {imageFile.Name}: {e.Message}");
            return ExitStatus.BadImage;
        }
        SymbolMap symbols = symbolFile is not null ? SymbolMap.FromSystemMap(symbolFile.FullName) : SymbolMap.FromImage(machine.Image);
        if (ResolveAddress(at, symbols) is not uint address)
        {
            stderr.WriteLine($"transmeta: --at {at}: not a hex address or a symbol of {imageFile.Name}");
            return ExitStatus.UsageError;
        }
        var result = Inspect(machine, address, compiler, symbols, native, regions);
        stdout.Write(result.Text);
        return 0;
    }

    /// <summary>What inspecting a block found (the text printed, and the pieces for tests).</summary>
    public sealed record InspectResult(string Text, IrBlock Before, IrBlock After, string Disassembly, string? BackendListing,
        int GuestBytes, int NativeBytes, string? NativeDisassembly);

    public static unsafe InspectResult Inspect(Machine machine, uint address, IBlockCompiler compiler, SymbolMap symbols, bool native, bool regions = true)
    {
        var reader = new GuestCodeReader(machine.Memory);
        var translator = new X86Translator();
        var regionTranslator = new RegionTranslator(translator);
        // The x87 TOP the engine would assume is the CPU's when it translates; before the guest
        // runs that is the FNINIT state's (TOP 0, control word 037F).
        int x87Top = X87StackTracking.EntryTopOf((byte*)machine.Cpu);
        IrBlock Translate() => regions ? regionTranslator.Translate(reader, address, DecodeMode.Flat32, x87Top)
            : translator.Translate(reader, address, DecodeMode.Flat32, x87Top, out _);
        IrBlock before = Translate();
        string irBefore = IrPrinter.Print(before, StateNames.Describe);
        IrBlock after = Translate();
        var passStats = new PassStatistics();
        PassPipeline.Optimize(after, passStats, verify: true);
        // As the engine does for a translation that assumes the x87 state (any backend but the
        // lone interpreter): nearby accesses behind shared probes.
        int grouped = compiler.Interprets ? 0 : GuestAccessGrouping.Run(after);
        IrVerifier.Verify(after);
        string irAfter = IrPrinter.Print(after, StateNames.Describe);

        var sb = new StringBuilder();
        string where = symbols.Describe(address) is { } s ? $" <{s}>" : "";
        string region = after.RegionBlocks > 1 ? $" (a region of {after.RegionBlocks} blocks)" : "";
        UnitShape shape = UnitShape.Of(after);
        sb.Append($"block {after.Name}{where}: {shape.Instructions} guest instructions, {shape.Bytes} bytes{region}\n\n");

        // Guest disassembly (Iced, 32-bit), range by range for a region.
        var ranges = after.GuestRanges.Count > 0 ? after.GuestRanges.ToList() : [(address, after.GuestByteLength)];
        var dis = new StringBuilder();
        foreach (var (start, length) in ranges.OrderBy(r => r.Item1))
        {
            byte[] guest = new byte[Math.Max(length, 1)];
            reader.Read(start, guest);
            if (ranges.Count > 1) dis.Append($" {symbols.Describe(start) ?? start.ToString("x8")}:\n");
            dis.Append(Disassemble(guest, 32, start, symbols));
        }
        string disassembly = dis.ToString();
        sb.Append("== guest code (x86-32)\n").Append(disassembly).Append('\n');
        sb.Append($"== IR before the passes ({before.Count} ops)\n").Append(irBefore).Append('\n');
        string groupNote = grouped > 0 ? $"; {grouped} memory accesses behind shared probes" : "";
        sb.Append($"== IR after the passes ({after.Count} ops{groupNote})\n").Append(irAfter).Append('\n');

        // The backend.
        RecordingILGenerator? recorder = null;
        if (compiler is IlCompiler il) il.GeneratorHook = g => recorder = new RecordingILGenerator(g);
        CompiledBlock code;
        var units = new List<object>();
        using (CaptureUnits(compiler, units))
            code = compiler.Compile(after);
        if (compiler is IlCompiler il2) il2.GeneratorHook = null;
        string? listing = null;
        int nativeBytes = code.NativeCodeBytes;
        string? nativeText = null;
        ulong nativeStart = 0;
        if (code is IlCompiledBlock ilBlock)
        {
            listing = recorder?.Listing;
            sb.Append($"== IL ({ilBlock.IlBytes} bytes, {ilBlock.IlLocals} locals for temporaries; DynamicMethod {after.Name})\n");
            if (recorder is not null)
            {
                sb.Append("  .locals ").Append(string.Join(", ", recorder.Locals)).Append('\n');
                sb.Append(listing);
            }
            sb.Append('\n');
            if (native)
            {
                nint entry = RuntimePerfMap.PrepareDynamicMethod(ilBlock.Method);
                var range = ProfileSession.SnapshotRuntimeCode()
                    .LastOrDefault(r => RuntimePerfMap.BlockNameOf(r.Name) == after.Name && (entry == 0 || r.Start == (ulong)entry));
                if (range.Size > 0)
                {
                    nativeStart = range.Start;
                    nativeBytes = (int)range.Size;
                }
            }
        }
        else if (code.Tier == "interp")
        {
            sb.Append("== backend: interp (the interpreter runs the IR above; no code is generated)\n\n");
        }
        else
        {
            // Another compiler (LLVM): the text listings it reports (through an Action<T>
            // UnitCompiled callback, e.g. the generated and optimized LLVM IR) and its code range.
            foreach (object unit in units)
                foreach (PropertyInfo p in unit.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                             .Where(p => p.PropertyType == typeof(string)))
                {
                    if (p.GetValue(unit) is string text && text.Contains('\n'))
                    {
                        listing ??= text;
                        sb.Append($"== {code.Tier} {p.Name}\n").Append(text.TrimEnd()).Append("\n\n");
                    }
                }
            if (units.Count == 0) sb.Append($"== backend: {code.Tier} (it reports no listing)\n\n");
            if (native && NativeCodeRegistry.Resolve(code) is { } r)
            {
                nativeStart = r.Start;
                nativeBytes = (int)r.Size;
            }
        }
        if (nativeStart != 0 && nativeBytes > 0)
        {
            byte[] bytes = new ReadOnlySpan<byte>((void*)nativeStart, nativeBytes).ToArray();
            nativeText = Disassemble(bytes, 64, nativeStart, null);
            sb.Append($"== native code (x86-64, {nativeBytes} bytes at 0x{nativeStart:x})\n").Append(nativeText).Append('\n');
        }
        else if (code.Tier != "interp" && native)
        {
            sb.Append($"== native code: not available for {code.Tier}\n\n");
        }

        sb.Append("== summary\n");
        sb.Append($"guest: {shape.Instructions} instructions, {shape.Bytes} bytes; IR: {before.Count} ops before, {after.Count} after the passes\n");
        if (nativeBytes > 0)
            sb.Append($"native: {nativeBytes} bytes; expansion {nativeBytes / (double)Math.Max(1, shape.Bytes):F1} native bytes per guest byte, {nativeBytes / (double)Math.Max(1, shape.Instructions):F1} per guest instruction\n");
        return new InspectResult(sb.ToString(), before, after, disassembly, listing, shape.Bytes, nativeBytes, nativeText);
    }

    /// <summary>Subscribes to a compiler's <c>UnitCompiled</c> callback (an <c>Action&lt;T&gt;</c>
    /// property, as the LLVM backend has) for the duration of the returned scope.</summary>
    private static IDisposable CaptureUnits(IBlockCompiler compiler, List<object> units)
    {
        PropertyInfo? p = compiler.GetType().GetProperty("UnitCompiled", BindingFlags.Public | BindingFlags.Instance);
        if (p is null || !p.CanWrite || !p.PropertyType.IsGenericType || p.PropertyType.GetGenericTypeDefinition() != typeof(Action<>))
            return new Scope(() => { });
        Type unitType = p.PropertyType.GetGenericArguments()[0];
        object? previous = p.GetValue(compiler);
        Delegate capture = (Delegate)typeof(InspectCommand).GetMethod(nameof(MakeCapture), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(unitType).Invoke(null, [units])!;
        p.SetValue(compiler, capture);
        return new Scope(() => p.SetValue(compiler, previous));
    }

    private static Action<T> MakeCapture<T>(List<object> units) => u => units.Add(u!);

    private sealed class Scope(Action end) : IDisposable
    {
        public void Dispose() => end();
    }

    /// <summary>Iced disassembly, one instruction a line: address, bytes, NASM syntax.</summary>
    public static string Disassemble(byte[] code, int bitness, ulong ip, SymbolMap? symbols)
    {
        var decoder = Iced.Intel.Decoder.Create(bitness, new ByteArrayCodeReader(code), ip);
        var formatter = new NasmFormatter();
        formatter.Options.FirstOperandCharIndex = 8;
        formatter.Options.SpaceAfterOperandSeparator = true;
        formatter.Options.UppercaseHex = false;
        formatter.Options.HexPrefix = "0x";
        formatter.Options.HexSuffix = null;
        var output = new StringOutput();
        var sb = new StringBuilder();
        ulong end = ip + (ulong)code.Length;
        while (decoder.IP < end)
        {
            decoder.Decode(out Instruction ins);
            formatter.Format(ins, output);
            int offset = (int)(ins.IP - ip);
            string hex = Convert.ToHexString(code, offset, Math.Min(ins.Length, code.Length - offset)).ToLowerInvariant();
            string text = output.ToStringAndReset();
            if (symbols is not null && ins.IsCallNear || symbols is not null && ins.IsJmpNear)
                if (symbols.Describe((uint)ins.NearBranchTarget) is { } target) text += $"   ; <{target}>";
            sb.Append(bitness == 32 ? $"  {ins.IP:x8}  {hex,-20}  {text}\n" : $"  {ins.IP:x12}  {hex,-24}  {text}\n");
        }
        return sb.ToString();
    }
}
