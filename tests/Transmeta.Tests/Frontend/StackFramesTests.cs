using Iced.Intel;
using Transmeta.Frontend.Decoding;
using Transmeta.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Frontend;

/// <summary>ENTER (nesting levels 0, 1, &gt;1, 16/32-bit), LEAVE, PUSHA(D), POPA(D).
/// Expected values: <see cref="NativeOracle"/>.</summary>
public class StackFramesTests
{
    /// <summary>An enclosing frame at EBP = 0x30000 whose display holds recognisable values.</summary>
    private static void Frame(Assembler a)
    {
        StringsTests.Data(a, 0x2FFE0, 0xA0A0A0A8, 0xA0A0A0A7, 0xA0A0A0A6, 0xA0A0A0A5, 0xA0A0A0A4, 0xA0A0A0A3, 0xA0A0A0A2, 0xA0A0A0A1);
        StringsTests.Data(a, 0x30000, 0xBBBB0000);
        a.mov(ebp, 0x30000);
    }

    private static void SetRegisters(Assembler a)
    {
        a.mov(eax, 0xA1A2A3A4u);
        a.mov(ecx, 0xC1C2C3C4u);
        a.mov(edx, 0xD1D2D3D4u);
        a.mov(ebx, 0xB1B2B3B4u);
        a.mov(ebp, 0xE1E2E3E4u);
        a.mov(esi, 0x51525354u);
        a.mov(edi, 0x71727374u);
    }

    public static NativeCase[] NativeCases { get; } =
    {
        new("enter_16_3", a => { Frame(a); a.enter(16, 3); }),
        new("enter_8_1", a => { Frame(a); a.enter(8, 1); }),
        new("enter_4_0", a => { Frame(a); a.enter(4, 0); }),
        new("enter_0_2", a => { Frame(a); a.enter(0, 2); }),
        new("enter_level_mod_32", a => { Frame(a); a.enter(16, 33); }),
        new("enter_0_9", a => { Frame(a); a.enter(0, 9); }),
        // EBP = ESP: each frame pointer copied is one ENTER itself just pushed (found by the
        // differential tester: reading them all before the pushes gave the old memory).
        new("enter_overlapping_frames", a => { a.mov(ebp, esp); a.enter(16, 4); }),
        new("enter_o16_12_3", a => { Frame(a); a.db(0x66, 0xC8, 0x0C, 0x00, 0x03); }),
        new("enter_o16_12_1", a => { Frame(a); a.db(0x66, 0xC8, 0x0C, 0x00, 0x01); }),
        new("enter_o16_ebp_borrows", a =>
        {
            // The level-3 copy loop does EBP -= 2 twice on the full EBP (borrowing from bit 16);
            // then BP = FrameTemp.
            StringsTests.Data(a, 0x2FFF8, 0x22221111, 0x44443333);
            a.mov(ebp, 0x30002);
            a.db(0x66, 0xC8, 0x00, 0x00, 0x03);
        }),
        new("enter_then_leave", a =>
        {
            Frame(a);
            a.enter(32, 2);
            a.mov(__dword_ptr[ebp - 4], 0x12345678); // a local... the display slot
            a.leave();
        }),
        new("leave", a =>
        {
            StringsTests.Data(a, 0x30000, 0x0007FFF0, 0xDEADBEEF);
            a.mov(ebp, 0x30000);
            a.leave();
        }),
        new("leave_o16", a =>
        {
            StringsTests.Data(a, 0x30000, 0x5555FFF0, 0xDEADBEEF);
            a.mov(ebp, 0x30000);
            a.db(0x66, 0xC9); // leave with 16-bit operand size: BP = pop16
        }),
        new("pushad_image", a => { SetRegisters(a); a.pushad(); }),
        new("pusha16_image", a => { SetRegisters(a); a.pusha(); }),
        new("popad_skips_esp", a =>
        {
            SetRegisters(a);
            a.pushad();
            a.mov(__dword_ptr[esp + 12], 0x11111111); // the saved ESP slot
            a.mov(eax, 0); a.mov(ecx, 0); a.mov(edx, 0); a.mov(ebx, 0);
            a.mov(ebp, 0); a.mov(esi, 0); a.mov(edi, 0);
            a.popad();
        }),
        new("popa16", a =>
        {
            SetRegisters(a);
            StringsTests.Data(a, 0x7FFF0, 0x33332222, 0x55554444, 0x77776666, 0x99998888);
            a.sub(esp, 16);
            a.popa();
        }),
    };

    private static readonly Dictionary<string, NativeResult> Recorded = new()
    {
        ["enter_16_3"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007ffe0, 0x0007fffc, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001063, [0x0002ffe0, 0xa0a0a0a8, 0x0002ffe4, 0xa0a0a0a7, 0x0002ffe8, 0xa0a0a0a6, 0x0002ffec, 0xa0a0a0a5, 0x0002fff0, 0xa0a0a0a4, 0x0002fff4, 0xa0a0a0a3, 0x0002fff8, 0xa0a0a0a2, 0x0002fffc, 0xa0a0a0a1, 0x00030000, 0xbbbb0000, 0x0007fff0, 0x0007fffc, 0x0007fff4, 0xa0a0a0a2, 0x0007fff8, 0xa0a0a0a1, 0x0007fffc, 0x00030000]),
        ["enter_8_1"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007fff0, 0x0007fffc, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001063, [0x0002ffe0, 0xa0a0a0a8, 0x0002ffe4, 0xa0a0a0a7, 0x0002ffe8, 0xa0a0a0a6, 0x0002ffec, 0xa0a0a0a5, 0x0002fff0, 0xa0a0a0a4, 0x0002fff4, 0xa0a0a0a3, 0x0002fff8, 0xa0a0a0a2, 0x0002fffc, 0xa0a0a0a1, 0x00030000, 0xbbbb0000, 0x0007fff8, 0x0007fffc, 0x0007fffc, 0x00030000]),
        ["enter_4_0"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007fff8, 0x0007fffc, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001063, [0x0002ffe0, 0xa0a0a0a8, 0x0002ffe4, 0xa0a0a0a7, 0x0002ffe8, 0xa0a0a0a6, 0x0002ffec, 0xa0a0a0a5, 0x0002fff0, 0xa0a0a0a4, 0x0002fff4, 0xa0a0a0a3, 0x0002fff8, 0xa0a0a0a2, 0x0002fffc, 0xa0a0a0a1, 0x00030000, 0xbbbb0000, 0x0007fffc, 0x00030000]),
        ["enter_0_2"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007fff4, 0x0007fffc, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001063, [0x0002ffe0, 0xa0a0a0a8, 0x0002ffe4, 0xa0a0a0a7, 0x0002ffe8, 0xa0a0a0a6, 0x0002ffec, 0xa0a0a0a5, 0x0002fff0, 0xa0a0a0a4, 0x0002fff4, 0xa0a0a0a3, 0x0002fff8, 0xa0a0a0a2, 0x0002fffc, 0xa0a0a0a1, 0x00030000, 0xbbbb0000, 0x0007fff4, 0x0007fffc, 0x0007fff8, 0xa0a0a0a1, 0x0007fffc, 0x00030000]),
        ["enter_level_mod_32"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007ffe8, 0x0007fffc, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001063, [0x0002ffe0, 0xa0a0a0a8, 0x0002ffe4, 0xa0a0a0a7, 0x0002ffe8, 0xa0a0a0a6, 0x0002ffec, 0xa0a0a0a5, 0x0002fff0, 0xa0a0a0a4, 0x0002fff4, 0xa0a0a0a3, 0x0002fff8, 0xa0a0a0a2, 0x0002fffc, 0xa0a0a0a1, 0x00030000, 0xbbbb0000, 0x0007fff8, 0x0007fffc, 0x0007fffc, 0x00030000]),
        ["enter_0_9"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007ffd8, 0x0007fffc, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001063, [0x0002ffe0, 0xa0a0a0a8, 0x0002ffe4, 0xa0a0a0a7, 0x0002ffe8, 0xa0a0a0a6, 0x0002ffec, 0xa0a0a0a5, 0x0002fff0, 0xa0a0a0a4, 0x0002fff4, 0xa0a0a0a3, 0x0002fff8, 0xa0a0a0a2, 0x0002fffc, 0xa0a0a0a1, 0x00030000, 0xbbbb0000, 0x0007ffd8, 0x0007fffc, 0x0007ffdc, 0xa0a0a0a8, 0x0007ffe0, 0xa0a0a0a7, 0x0007ffe4, 0xa0a0a0a6, 0x0007ffe8, 0xa0a0a0a5, 0x0007ffec, 0xa0a0a0a4, 0x0007fff0, 0xa0a0a0a3, 0x0007fff4, 0xa0a0a0a2, 0x0007fff8, 0xa0a0a0a1, 0x0007fffc, 0x00030000]),
        ["enter_overlapping_frames"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007ffdc, 0x0007fffc, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001006, [0x0007ffec, 0x0007fffc, 0x0007fff0, 0x00080000, 0x0007fff4, 0x00080000, 0x0007fff8, 0x00080000, 0x0007fffc, 0x00080000]),
        ["enter_o16_12_3"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007ffec, 0x0003fffe, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001064, [0x0002ffe0, 0xa0a0a0a8, 0x0002ffe4, 0xa0a0a0a7, 0x0002ffe8, 0xa0a0a0a6, 0x0002ffec, 0xa0a0a0a5, 0x0002fff0, 0xa0a0a0a4, 0x0002fff4, 0xa0a0a0a3, 0x0002fff8, 0xa0a0a0a2, 0x0002fffc, 0xa0a0a0a1, 0x00030000, 0xbbbb0000, 0x0007fff8, 0xa0a1fffe, 0x0007fffc, 0x0000a0a0]),
        ["enter_o16_12_1"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007fff0, 0x0003fffe, 0x00000000, 0x00000000], 0x00000202, -1, 0x00001064, [0x0002ffe0, 0xa0a0a0a8, 0x0002ffe4, 0xa0a0a0a7, 0x0002ffe8, 0xa0a0a0a6, 0x0002ffec, 0xa0a0a0a5, 0x0002fff0, 0xa0a0a0a4, 0x0002fff4, 0xa0a0a0a3, 0x0002fff8, 0xa0a0a0a2, 0x0002fffc, 0xa0a0a0a1, 0x00030000, 0xbbbb0000, 0x0007fffc, 0x0000fffe]),
        ["enter_o16_ebp_borrows"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x0007fff8, 0x0003fffe, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000101e, [0x0002fff8, 0x22221111, 0x0002fffc, 0x44443333, 0x0007fff8, 0x4444fffe, 0x0007fffc, 0x00020000]),
        ["enter_then_leave"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00080000, 0x00030000, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000106b, [0x0002ffe0, 0xa0a0a0a8, 0x0002ffe4, 0xa0a0a0a7, 0x0002ffe8, 0xa0a0a0a6, 0x0002ffec, 0xa0a0a0a5, 0x0002fff0, 0xa0a0a0a4, 0x0002fff4, 0xa0a0a0a3, 0x0002fff8, 0xa0a0a0a2, 0x0002fffc, 0xa0a0a0a1, 0x00030000, 0xbbbb0000, 0x0007fff4, 0x0007fffc, 0x0007fff8, 0x12345678, 0x0007fffc, 0x00030000]),
        ["leave"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00030004, 0x0007fff0, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000101a, [0x00030000, 0x0007fff0, 0x00030004, 0xdeadbeef]),
        ["leave_o16"] = new([0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00030002, 0x0003fff0, 0x00000000, 0x00000000], 0x00000202, -1, 0x0000101b, [0x00030000, 0x5555fff0, 0x00030004, 0xdeadbeef]),
        ["pushad_image"] = new([0xa1a2a3a4, 0xc1c2c3c4, 0xd1d2d3d4, 0xb1b2b3b4, 0x0007ffe0, 0xe1e2e3e4, 0x51525354, 0x71727374], 0x00000202, -1, 0x00001024, [0x0007ffe0, 0x71727374, 0x0007ffe4, 0x51525354, 0x0007ffe8, 0xe1e2e3e4, 0x0007ffec, 0x00080000, 0x0007fff0, 0xb1b2b3b4, 0x0007fff4, 0xd1d2d3d4, 0x0007fff8, 0xc1c2c3c4, 0x0007fffc, 0xa1a2a3a4]),
        ["pusha16_image"] = new([0xa1a2a3a4, 0xc1c2c3c4, 0xd1d2d3d4, 0xb1b2b3b4, 0x0007fff0, 0xe1e2e3e4, 0x51525354, 0x71727374], 0x00000202, -1, 0x00001025, [0x0007fff0, 0x53547374, 0x0007fff4, 0x0000e3e4, 0x0007fff8, 0xd3d4b3b4, 0x0007fffc, 0xa3a4c3c4]),
        ["popad_skips_esp"] = new([0xa1a2a3a4, 0xc1c2c3c4, 0xd1d2d3d4, 0xb1b2b3b4, 0x00080000, 0xe1e2e3e4, 0x51525354, 0x71727374], 0x00000202, -1, 0x00001050, [0x0007ffe0, 0x71727374, 0x0007ffe4, 0x51525354, 0x0007ffe8, 0xe1e2e3e4, 0x0007ffec, 0x11111111, 0x0007fff0, 0xb1b2b3b4, 0x0007fff4, 0xd1d2d3d4, 0x0007fff8, 0xc1c2c3c4, 0x0007fffc, 0xa1a2a3a4]),
        ["popa16"] = new([0xa1a29999, 0xc1c28888, 0xd1d27777, 0xb1b26666, 0x00080000, 0xe1e24444, 0x51523333, 0x71722222], 0x00000206, -1, 0x00001050, [0x0007fff0, 0x33332222, 0x0007fff4, 0x55554444, 0x0007fff8, 0x77776666, 0x0007fffc, 0x99998888]),
    };

    public static IEnumerable<object[]> Matrix => NativeOracle.Matrix(NativeCases);

    [Theory]
    [MemberData(nameof(Matrix))]
    public void MatchesHardware(string backend, string name) => NativeOracle.Check(backend, NativeCases, Recorded, name);

    // ------------------------------------------------------------------ 16-bit stack (SS.B = 0)
    // Not checkable natively; expected values follow the SDM pseudo-code: SP wraps at 64 KiB,
    // ESP's upper half is kept, PUSHAD stores the full original ESP.

    private static SnippetRunner Stack16(string backend)
    {
        var r = new SnippetRunner(TestBackends.Create(backend)) { Mode = new DecodeMode(32, true, 0, 2) };
        return r;
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void PushadPopadWrapSpOn16BitStack(string backend)
    {
        using var r = Stack16(backend);
        r.Run(a =>
        {
            SetRegisters(a);
            a.mov(esp, 0xABCD0010u);
            a.pushad();
            a.mov(__dword_ptr[0x30000], esp);
            a.mov(eax, 0); a.mov(ecx, 0); a.mov(edx, 0); a.mov(ebx, 0);
            a.mov(ebp, 0); a.mov(esi, 0); a.mov(edi, 0);
            a.popad();
        });
        Assert.Equal(0xABCDFFF0u, r.Read32(0x30000));
        Assert.Equal(0xA1A2A3A4u, r.Read32(0x000C));
        Assert.Equal(0xB1B2B3B4u, r.Read32(0x0000));
        Assert.Equal(0xABCD0010u, r.Read32(0xFFFC));
        Assert.Equal(0x71727374u, r.Read32(0xFFF0));
        Assert.Equal(0xABCD0010u, r.State.Esp);
        Assert.Equal(0xA1A2A3A4u, r.State.Eax);
        Assert.Equal(0xC1C2C3C4u, r.State.Ecx);
        Assert.Equal(0xE1E2E3E4u, r.State.Ebp);
        Assert.Equal(0x71727374u, r.State.Edi);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void Pusha16WrapsOn16BitStack(string backend)
    {
        using var r = Stack16(backend);
        r.Run(a =>
        {
            SetRegisters(a);
            a.mov(esp, 0x12340004u);
            a.pusha();
        });
        Assert.Equal(0x1234FFF4u, r.State.Esp);
        Assert.Equal(0xA3A4C3C4u, r.Read32(0x0000)); // AX at SP-2 = 2, CX at SP-4 = 0
        Assert.Equal(0xD3D4B3B4u, r.Read32(0xFFFC)); // DX, BX
        Assert.Equal(0x0004E3E4u, r.Read32(0xFFF8)); // original SP, BP
        Assert.Equal(0x53547374u, r.Read32(0xFFF4)); // SI, DI
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void EnterLevel2On16BitStack(string backend)
    {
        using var r = Stack16(backend);
        r.Run(a =>
        {
            a.mov(__dword_ptr[0x00FC], 0xCAFED00Du); // [BP - 4]
            a.mov(__dword_ptr[0x100FC], 0x0BADF00Du); // [EBP - 4]: must not be used
            a.mov(esp, 0x00050004u);
            a.mov(ebp, 0x00010100u);
            a.enter(8, 2);
        });
        Assert.Equal(0x00010100u, r.Read32(0x0000)); // EBP pushed at SP - 4
        Assert.Equal(0xCAFED00Du, r.Read32(0xFFFC)); // copied from SS:[BP - 4], SP wrapped
        Assert.Equal(0x00000000u, r.Read32(0xFFF8)); // FrameTemp = SP after the first push
        Assert.Equal(0x00000000u, r.State.Ebp);
        Assert.Equal(0x0005FFF0u, r.State.Esp);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void LeaveOn16BitStack(string backend)
    {
        using var r = Stack16(backend);
        r.Run(a =>
        {
            a.mov(__dword_ptr[0x0100], 0x11223344u);
            a.mov(esp, 0x00050000u);
            a.mov(ebp, 0x00070100u);
            a.leave();
        });
        Assert.Equal(0x11223344u, r.State.Ebp);
        Assert.Equal(0x00050104u, r.State.Esp);
    }
}
