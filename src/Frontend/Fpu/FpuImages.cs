namespace Transmeta.Frontend.Fpu;

/// <summary>
/// The memory images of the x87 environment and registers (Intel SDM Vol. 1 §8.1.10, Figures
/// 8-9 to 8-12, and FXSAVE's Table 10-2), built in and read from the staging area of the FPU
/// state: the lifter copies the staging area to and from guest memory, so every memory access
/// (and its fault) happens before the FPU state changes.
///
/// Protected-mode formats only (the VM runs 32-bit protected mode guests): 28 bytes with a
/// 32-bit operand size, 14 with a 16-bit one. The reserved upper halves of the 32-bit image are
/// written as FFFF, as the test host does.
/// </summary>
public static unsafe class FpuImages
{
    public static int EnvSize(bool size32) => size32 ? 28 : 14;
    public static int SaveSize(bool size32) => size32 ? 108 : 94;
    /// <summary>The part of the 512-byte FXSAVE area this VM writes and reads: the x87 state and
    /// MXCSR (bytes 160.. hold XMM registers, which this processor model does not have).</summary>
    public const int FxSize = 160;
    /// <summary>MXCSR_MASK reported by FXSAVE: the test host's value (this processor model has no
    /// SSE, so nothing depends on it).</summary>
    public const uint MxcsrMask = 0x0002_FFFF;

    public static void StoreEnv(byte* s, byte* img, bool size32)
    {
        uint cw = FpuState.ControlWord(s), sw = FpuState.Fsw(s) & 0xFFFF, tw = FpuState.TagWord(s);
        uint fip = *(uint*)(s + FpuState.OffFip), fcs = *(uint*)(s + FpuState.OffFcs) & 0xFFFF;
        uint fop = *(uint*)(s + FpuState.OffFop) & 0x7FF;
        uint fdp = *(uint*)(s + FpuState.OffFdp), fds = *(uint*)(s + FpuState.OffFds) & 0xFFFF;
        if (size32)
        {
            uint* d = (uint*)img;
            d[0] = cw | 0xFFFF_0000;
            d[1] = sw | 0xFFFF_0000;
            d[2] = tw | 0xFFFF_0000;
            d[3] = fip;
            d[4] = fcs | fop << 16;
            d[5] = fdp;
            d[6] = fds | 0xFFFF_0000;
        }
        else
        {
            ushort* d = (ushort*)img;
            d[0] = (ushort)cw;
            d[1] = (ushort)sw;
            d[2] = (ushort)tw;
            d[3] = (ushort)fip;
            d[4] = (ushort)fcs;
            d[5] = (ushort)fdp;
            d[6] = (ushort)fds;
        }
    }

    public static void LoadEnv(byte* s, byte* img, bool size32)
    {
        uint cw, sw, tw, fip, fcs, fop, fdp, fds;
        if (size32)
        {
            uint* d = (uint*)img;
            cw = d[0]; sw = d[1] & 0xFFFF; tw = d[2] & 0xFFFF; fip = d[3]; fcs = d[4] & 0xFFFF;
            fop = (d[4] >> 16) & 0x7FF; fdp = d[5]; fds = d[6] & 0xFFFF;
        }
        else
        {
            ushort* d = (ushort*)img;
            cw = d[0]; sw = d[1]; tw = d[2]; fip = d[3]; fcs = d[4]; fop = 0; fdp = d[5]; fds = d[6];
        }
        FpuState.SetControlWord(s, (cw & 0x1F3F) | 0x40);
        FpuState.SetStatusWord(s, sw);
        FpuState.SetTagWord(s, tw);
        *(uint*)(s + FpuState.OffFip) = fip;
        *(uint*)(s + FpuState.OffFcs) = fcs;
        *(uint*)(s + FpuState.OffFop) = fop;
        *(uint*)(s + FpuState.OffFdp) = fdp;
        *(uint*)(s + FpuState.OffFds) = fds;
        X87.UpdateErrorSummary(s);
    }

    /// <summary>ST(0)..ST(7), 10 bytes each, after the environment of FNSAVE.</summary>
    public static void StoreRegisters(byte* s, byte* p)
    {
        int top = FpuState.Top(s);
        for (int i = 0; i < 8; i++)
        {
            Float80 r = FpuState.Reg(s, (top + i) & 7);
            *(ulong*)(p + 10 * i) = r.Sig;
            *(ushort*)(p + 10 * i + 8) = r.SignExp;
        }
    }

    public static void LoadRegisters(byte* s, byte* p)
    {
        int top = FpuState.Top(s);
        for (int i = 0; i < 8; i++)
            FpuState.Reg(s, (top + i) & 7) = new Float80(*(ulong*)(p + 10 * i), *(ushort*)(p + 10 * i + 8));
    }

    public static void FxSave(byte* s, byte* img)
    {
        new Span<byte>(img, FxSize).Clear();
        *(ushort*)(img + 0) = (ushort)FpuState.ControlWord(s);
        *(ushort*)(img + 2) = (ushort)FpuState.Fsw(s);
        img[4] = (byte)FpuState.Tags(s);
        // The last-instruction pointers and opcode are stored only while an exception is pending
        // (ES set), zeros otherwise: the AMD behaviour of the test host (Intel always stores them).
        if ((FpuState.Fsw(s) & FpuBits.ES) != 0)
        {
            *(ushort*)(img + 6) = (ushort)(*(uint*)(s + FpuState.OffFop) & 0x7FF);
            *(uint*)(img + 8) = *(uint*)(s + FpuState.OffFip);
            *(ushort*)(img + 12) = (ushort)*(uint*)(s + FpuState.OffFcs);
            *(uint*)(img + 16) = *(uint*)(s + FpuState.OffFdp);
            *(ushort*)(img + 20) = (ushort)*(uint*)(s + FpuState.OffFds);
        }
        *(uint*)(img + 24) = FpuState.Mxcsr(s);
        *(uint*)(img + 28) = MxcsrMask;
        int top = FpuState.Top(s);
        for (int i = 0; i < 8; i++)
        {
            Float80 r = FpuState.Reg(s, (top + i) & 7);
            *(ulong*)(img + 32 + 16 * i) = r.Sig;
            *(ushort*)(img + 32 + 16 * i + 8) = r.SignExp;
        }
    }

    public static void FxRstor(byte* s, byte* img)
    {
        FpuState.SetControlWord(s, (*(ushort*)(img + 0) & 0x1F3Fu) | 0x40);
        FpuState.SetStatusWord(s, *(ushort*)(img + 2));
        FpuState.Tags(s) = img[4];
        *(uint*)(s + FpuState.OffFop) = *(ushort*)(img + 6) & 0x7FFu;
        *(uint*)(s + FpuState.OffFip) = *(uint*)(img + 8);
        *(uint*)(s + FpuState.OffFcs) = *(ushort*)(img + 12);
        *(uint*)(s + FpuState.OffFdp) = *(uint*)(img + 16);
        *(uint*)(s + FpuState.OffFds) = *(ushort*)(img + 20);
        FpuState.SetMxcsr(s, *(uint*)(img + 24) & MxcsrMask);
        int top = FpuState.Top(s);
        for (int i = 0; i < 8; i++)
            FpuState.Reg(s, (top + i) & 7) = new Float80(*(ulong*)(img + 32 + 16 * i), *(ushort*)(img + 32 + 16 * i + 8));
        X87.UpdateErrorSummary(s);
    }
}
