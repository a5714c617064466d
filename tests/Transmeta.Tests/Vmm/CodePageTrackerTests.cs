using Transmeta.Vmm.Memory;
using Xunit;

namespace Transmeta.Tests.Vmm;

public sealed class CodePageTrackerTests
{
    [Fact]
    public void Covers_Every_Page_Of_Ram()
    {
        var t = new CodePageTracker(128u * 1024 * 1024);
        Assert.Equal(32768u, t.PageCount);
        var partial = new CodePageTracker(4097);
        Assert.Equal(2u, partial.PageCount);
    }

    [Fact]
    public void Mark_Query_Clear()
    {
        var t = new CodePageTracker(1024 * 1024); // 256 pages
        Assert.False(t.IsCode(5));
        t.MarkCode(5);
        t.MarkCode(5); // idempotent
        t.MarkCode(31);
        t.MarkCode(32);
        t.MarkCode(255);
        Assert.Equal(4, t.MarkedCount);
        Assert.True(t.IsCode(5));
        Assert.False(t.IsCode(4));
        Assert.False(t.IsCode(6));
        Assert.True(t.IsCode(31));
        Assert.True(t.IsCode(32));
        Assert.True(t.IsCode(255));
        Assert.True(t.IsCodeAddress(0x5FFF));
        Assert.False(t.IsCodeAddress(0x6000));
        Assert.Equal(new uint[] { 5, 31, 32, 255 }, t.MarkedPages().ToArray());

        t.ClearCode(5);
        t.ClearCode(5);
        Assert.False(t.IsCode(5));
        Assert.Equal(3, t.MarkedCount);
        t.ClearAll();
        Assert.Equal(0, t.MarkedCount);
        Assert.False(t.IsCode(255));
    }

    [Fact]
    public void Pages_Outside_Ram_Are_Never_Code()
    {
        var t = new CodePageTracker(1024 * 1024);
        Assert.False(t.IsCode(256));
        Assert.False(t.IsCode(uint.MaxValue));
        Assert.False(t.IsCodeAddress(0xFFFFF000));
        t.ClearCode(1000); // ignored
        Assert.Throws<ArgumentOutOfRangeException>(() => t.MarkCode(256));
    }

    [Fact]
    public void Range_Check_Sees_Every_Touched_Page()
    {
        var t = new CodePageTracker(1024 * 1024);
        t.MarkCode(2);
        Assert.True(t.RangeHasCode(0x1FFE, 4));   // straddles pages 1 and 2
        Assert.False(t.RangeHasCode(0x1FFC, 4));  // ends at 0x1FFF, page 1 only
        Assert.True(t.RangeHasCode(0x2FFF, 1));
        Assert.False(t.RangeHasCode(0x2000, 0));
        Assert.False(t.RangeHasCode(0xFFFFFFF0, 0x20)); // outside RAM, no wrap to page 0
    }
}
