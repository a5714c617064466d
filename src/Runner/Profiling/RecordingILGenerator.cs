using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.InteropServices;
using System.Text;

namespace Transmeta.Runner.Profiling;

/// <summary>
/// An <see cref="ILGenerator"/> that forwards everything to the real one and keeps a readable
/// listing (<c>IL_0012: ldfld State</c>, labels as <c>L3:</c>), for <c>transmeta inspect</c>.
/// Plugged into the IL backend through <c>IlCompiler.GeneratorHook</c>.
/// </summary>
public sealed class RecordingILGenerator(ILGenerator inner) : ILGenerator
{
    private readonly StringBuilder _listing = new();
    private int _lines;

    public string Listing => _listing.ToString();
    public int InstructionCount => _lines;

    private void Line(OpCode op, string? operand = null)
    {
        _listing.Append($"  IL_{inner.ILOffset:x4}: {op.Name}");
        if (operand is not null) _listing.Append(' ', Math.Max(1, 12 - op.Name!.Length)).Append(operand);
        _listing.Append('\n');
        _lines++;
    }

    private static string L(Label l) => $"L{l.GetHashCode()}";
    private static string T(Type t) => t.IsPointer ? T(t.GetElementType()!) + "*" : t.Name;
    private static string M(MethodBase m) => $"{m.DeclaringType?.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => T(p.ParameterType)))})";

    public override void Emit(OpCode opcode) { Line(opcode); inner.Emit(opcode); }
    public override void Emit(OpCode opcode, byte arg) { Line(opcode, arg.ToString()); inner.Emit(opcode, arg); }
    public override void Emit(OpCode opcode, short arg) { Line(opcode, arg.ToString()); inner.Emit(opcode, arg); }
    public override void Emit(OpCode opcode, long arg) { Line(opcode, $"0x{arg:x}"); inner.Emit(opcode, arg); }
    public override void Emit(OpCode opcode, float arg) { Line(opcode, arg.ToString("R")); inner.Emit(opcode, arg); }
    public override void Emit(OpCode opcode, double arg) { Line(opcode, arg.ToString("R")); inner.Emit(opcode, arg); }
    public override void Emit(OpCode opcode, int arg) { Line(opcode, arg is >= -1000 and <= 1000 ? arg.ToString() : $"0x{arg:x}"); inner.Emit(opcode, arg); }
    public override void Emit(OpCode opcode, MethodInfo meth) { Line(opcode, M(meth)); inner.Emit(opcode, meth); }
    public override void EmitCalli(OpCode opcode, CallingConventions callingConvention, Type? returnType, Type[]? parameterTypes, Type[]? optionalParameterTypes)
    {
        Line(opcode, $"{T(returnType ?? typeof(void))}({string.Join(", ", (parameterTypes ?? []).Select(T))})");
        inner.EmitCalli(opcode, callingConvention, returnType, parameterTypes, optionalParameterTypes);
    }
    public override void EmitCalli(OpCode opcode, CallingConvention unmanagedCallConv, Type? returnType, Type[]? parameterTypes)
    {
        Line(opcode, $"unmanaged {unmanagedCallConv} {T(returnType ?? typeof(void))}({string.Join(", ", (parameterTypes ?? []).Select(T))})");
        inner.EmitCalli(opcode, unmanagedCallConv, returnType, parameterTypes);
    }
    public override void EmitCall(OpCode opcode, MethodInfo methodInfo, Type[]? optionalParameterTypes) { Line(opcode, M(methodInfo)); inner.EmitCall(opcode, methodInfo, optionalParameterTypes); }
    public override void Emit(OpCode opcode, SignatureHelper signature) { Line(opcode, "(signature)"); inner.Emit(opcode, signature); }
    public override void Emit(OpCode opcode, ConstructorInfo con) { Line(opcode, M(con)); inner.Emit(opcode, con); }
    public override void Emit(OpCode opcode, Type cls) { Line(opcode, T(cls)); inner.Emit(opcode, cls); }
    public override void Emit(OpCode opcode, Label label) { Line(opcode, L(label)); inner.Emit(opcode, label); }
    public override void Emit(OpCode opcode, Label[] labels) { Line(opcode, string.Join(", ", labels.Select(L))); inner.Emit(opcode, labels); }
    public override void Emit(OpCode opcode, FieldInfo field) { Line(opcode, $"{field.DeclaringType?.Name}.{field.Name}"); inner.Emit(opcode, field); }
    public override void Emit(OpCode opcode, string str) { Line(opcode, $"\"{str}\""); inner.Emit(opcode, str); }
    public override void Emit(OpCode opcode, LocalBuilder local) { Line(opcode, $"V{local.LocalIndex}"); inner.Emit(opcode, local); }
    public override Label BeginExceptionBlock() { _listing.Append("  .try {\n"); return inner.BeginExceptionBlock(); }
    public override void EndExceptionBlock() { _listing.Append("  }\n"); inner.EndExceptionBlock(); }
    public override void BeginExceptFilterBlock() { _listing.Append("  } filter {\n"); inner.BeginExceptFilterBlock(); }
    public override void BeginCatchBlock(Type? exceptionType) { _listing.Append($"  }} catch {exceptionType?.Name} {{\n"); inner.BeginCatchBlock(exceptionType); }
    public override void BeginFaultBlock() { _listing.Append("  } fault {\n"); inner.BeginFaultBlock(); }
    public override void BeginFinallyBlock() { _listing.Append("  } finally {\n"); inner.BeginFinallyBlock(); }
    public override Label DefineLabel() => inner.DefineLabel();
    public override void MarkLabel(Label loc) { _listing.Append($"{L(loc)}:\n"); inner.MarkLabel(loc); }
    public override LocalBuilder DeclareLocal(Type localType, bool pinned)
    {
        LocalBuilder local = inner.DeclareLocal(localType, pinned);
        _locals.Add($"V{local.LocalIndex} {T(localType)}");
        return local;
    }
    public override void UsingNamespace(string usingNamespace) => inner.UsingNamespace(usingNamespace);
    public override void BeginScope() => inner.BeginScope();
    public override void EndScope() => inner.EndScope();
    public override int ILOffset => inner.ILOffset;

    private readonly List<string> _locals = new();
    public IReadOnlyList<string> Locals => _locals;
}
