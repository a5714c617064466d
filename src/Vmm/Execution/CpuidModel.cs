using Transmeta.Frontend.State;

namespace Transmeta.Vmm.Execution;

/// <summary>
/// What CPUID reports (Intel SDM Vol. 2A, CPUID). It advertises exactly what the VM implements,
/// so guest software never picks a code path we lack: the x87 FPU (with FCMOVcc/FCOMI through
/// CMOV, and FXSAVE/FXRSTOR), TSC, CX8 and CMOV; no MMX or SSE yet.
/// </summary>
public static unsafe class CpuidModel
{
    private const string Vendor = "GenuineIntel";

    // Leaf 1 EDX feature bits.
    private const uint Fpu = 1u << 0;
    private const uint Tsc = 1u << 4;
    private const uint Cx8 = 1u << 8;
    private const uint Cmov = 1u << 15;
    private const uint Fxsr = 1u << 24;

    public static void Execute(CpuState* cpu)
    {
        uint leaf = cpu->Eax;
        switch (leaf)
        {
            case 0:
                cpu->Eax = 1;
                cpu->Ebx = VendorWord(0);
                cpu->Edx = VendorWord(4);
                cpu->Ecx = VendorWord(8);
                break;
            case 1:
                cpu->Eax = 0x0000_06A0; // family 6, model 10: an i686-class processor
                cpu->Ebx = 0;
                cpu->Ecx = 0;
                cpu->Edx = Fpu | Tsc | Cx8 | Cmov | Fxsr;
                break;
            default:
                // Leaves above the maximum report the highest basic leaf's values on Intel; zeros
                // are what a guest checking "max leaf" first expects to never see.
                cpu->Eax = cpu->Ebx = cpu->Ecx = cpu->Edx = 0;
                break;
        }
    }

    private static uint VendorWord(int offset) =>
        (uint)(Vendor[offset] | Vendor[offset + 1] << 8 | Vendor[offset + 2] << 16 | Vendor[offset + 3] << 24);
}
