using Iced.Intel;
using Transmeta.Frontend.Decoding;
using Transmeta.IR;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace Transmeta.Tests.Frontend;

/// <summary>The region former joins the blocks of a loop on one page into one unit.</summary>
public class RegionTranslatorTests
{
    private sealed class Bytes(byte[] code, uint origin) : IGuestCodeReader
    {
        public int Read(uint linear, Span<byte> buffer)
        {
            int offset = (int)(linear - origin);
            if (offset < 0 || offset >= code.Length) return 0;
            int n = Math.Min(buffer.Length, code.Length - offset);
            code.AsSpan(offset, n).CopyTo(buffer);
            return n;
        }
    }

    private static (IrBlock Region, uint Start) Translate(Action<Assembler> program, int maxBlocks = 8)
    {
        const uint origin = 0x1000;
        var a = new Assembler(32);
        program(a);
        var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), origin);
        var translator = new RegionTranslator(new X86Translator()) { MaxBlocks = maxBlocks };
        IrBlock region = translator.Translate(new Bytes(ms.ToArray(), origin), origin, DecodeMode.Flat32);
        IrVerifier.Verify(region);
        return (region, origin);
    }

    [Fact]
    public void TwoBlockLoopBecomesOneUnit()
    {
        var (region, start) = Translate(a =>
        {
            var top = a.CreateLabel();
            var done = a.CreateLabel();
            a.Label(ref top);
            a.inc(eax);
            a.cmp(eax, ecx);
            a.jge(done);           // block 1 ends: both sides are on this page
            a.add(ebx, eax);
            a.jmp(top);            // block 2 jumps back to block 1
            a.Label(ref done);
            a.hlt();
        });
        Assert.Equal(start, region.GuestAddress);
        Assert.Equal(3, region.RegionBlocks); // loop head, loop body, the HLT block
        Assert.Equal(3, region.GuestRanges.Count);
        // The back edge is an internal jump, not an exit.
        Assert.Contains(region.Span.ToArray(), i => i.Op == Opcode.Jump);
    }

    [Fact]
    public void MaxBlocksOfOneIsAPlainBlock()
    {
        var (region, _) = Translate(a =>
        {
            var l = a.CreateLabel();
            a.jmp(l);
            a.Label(ref l);
            a.hlt();
        }, maxBlocks: 1);
        Assert.Equal(1, region.RegionBlocks);
    }
}
