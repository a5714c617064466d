using System.Text;
using Transmeta.Backend.LLVM.Interop;

namespace Transmeta.Backend.LLVM;

/// <summary>
/// An LLVM context and what every block's module needs from it, created once: the integer and
/// pointer types, the metadata kinds, the alias-analysis tags and the branch-weight nodes.
/// </summary>
/// <remarks>
/// Type-based alias analysis tells LLVM what the host memory the generated code touches is made
/// of, which no pointer analysis could find out (all of it is reached through pointers loaded
/// from the context): guest state, guest RAM (through the soft TLB), the TLB arrays and the
/// context itself are four disjoint regions, so a guest store does not force guest registers to
/// be reloaded, and a second access to the same page reuses the TLB entry already loaded.
/// Calls (slow paths, helpers) still clobber everything, as they should.
/// </remarks>
internal sealed unsafe class LlvmContextCache : IDisposable
{
    public LlvmContextCache()
    {
        Context = new LlvmContext();
        LLVMContextRef c = Context.Ref;
        I1 = LlvmNative.LLVMInt1TypeInContext(c);
        I8 = LlvmNative.LLVMInt8TypeInContext(c);
        I16 = LlvmNative.LLVMInt16TypeInContext(c);
        I32 = LlvmNative.LLVMInt32TypeInContext(c);
        I64 = LlvmNative.LLVMInt64TypeInContext(c);
        Void = LlvmNative.LLVMVoidTypeInContext(c);
        Ptr = LlvmNative.LLVMPointerTypeInContext(c, 0);

        TbaaKind = MetadataKind("tbaa");
        ProfKind = MetadataKind("prof");

        LLVMMetadataRef root = Node(MdString("transmeta host memory"));
        TbaaState = AccessTag(root, "guest state");
        TbaaGuest = AccessTag(root, "guest memory");
        TbaaTlb = AccessTag(root, "soft tlb");
        TbaaContext = AccessTag(root, "runtime context");

        Likely = AsValue(Node(MdString("branch_weights"), ConstMd(I32, 2000), ConstMd(I32, 1)));
        Unlikely = AsValue(Node(MdString("branch_weights"), ConstMd(I32, 1), ConstMd(I32, 2000)));
        NoUnwindKind = AttributeKind("nounwind");
        NoInlineKind = AttributeKind("noinline");
        ColdKind = AttributeKind("cold");
        StrictFpKind = AttributeKind("strictfp");
        WillReturnKind = AttributeKind("willreturn");
        MemoryKind = AttributeKind("memory");
    }

    public LlvmContext Context { get; }
    public LLVMContextRef Ref => Context.Ref;
    public LLVMTypeRef I1 { get; }
    public LLVMTypeRef I8 { get; }
    public LLVMTypeRef I16 { get; }
    public LLVMTypeRef I32 { get; }
    public LLVMTypeRef I64 { get; }
    public LLVMTypeRef Void { get; }
    public LLVMTypeRef Ptr { get; }
    public uint TbaaKind { get; }
    public uint ProfKind { get; }
    public LLVMValueRef TbaaState { get; }
    public LLVMValueRef TbaaGuest { get; }
    public LLVMValueRef TbaaTlb { get; }
    public LLVMValueRef TbaaContext { get; }
    /// <summary>branch_weights for a condition almost always true / almost always false.</summary>
    public LLVMValueRef Likely { get; }
    public LLVMValueRef Unlikely { get; }
    public uint NoUnwindKind { get; }
    public uint NoInlineKind { get; }
    public uint ColdKind { get; }
    /// <summary>Floating point with the exception flags observable (constrained intrinsics).</summary>
    public uint StrictFpKind { get; }
    public uint WillReturnKind { get; }
    /// <summary>memory(...): the value 0 is memory(none).</summary>
    public uint MemoryKind { get; }

    /// <summary>Modules compiled in this context (the compiler starts a fresh context now and
    /// then, because a context keeps every constant it ever saw).</summary>
    public int Uses { get; set; }

    private uint MetadataKind(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes) return LlvmNative.LLVMGetMDKindIDInContext(Ref, p, (uint)bytes.Length);
    }

    private static uint AttributeKind(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes) return LlvmNative.LLVMGetEnumAttributeKindForName(p, (nuint)bytes.Length);
    }

    private LLVMMetadataRef MdString(string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        fixed (byte* p = bytes) return LlvmNative.LLVMMDStringInContext2(Ref, p, (nuint)bytes.Length);
    }

    private static LLVMMetadataRef ConstMd(LLVMTypeRef type, ulong value) =>
        LlvmNative.LLVMValueAsMetadata(LlvmNative.LLVMConstInt(type, value, 0));

    private LLVMMetadataRef Node(params LLVMMetadataRef[] operands)
    {
        fixed (LLVMMetadataRef* p = operands) return LlvmNative.LLVMMDNodeInContext2(Ref, p, (nuint)operands.Length);
    }

    private LLVMValueRef AsValue(LLVMMetadataRef md) => LlvmNative.LLVMMetadataAsValue(Ref, md);

    /// <summary>Struct-path TBAA: scalar type node !{name, root, 0}, access tag !{type, type, 0}.</summary>
    private LLVMValueRef AccessTag(LLVMMetadataRef root, string name)
    {
        LLVMMetadataRef type = Node(MdString(name), root, ConstMd(I64, 0));
        return AsValue(Node(type, type, ConstMd(I64, 0)));
    }

    public void Dispose() => Context.Dispose();
}
