using Transmeta.Backend.Interp;
using Transmeta.IR;
using Transmeta.Tests.IR;
using Transmeta.Vmm.Execution;
using Xunit;

namespace Transmeta.Tests.Vmm;

/// <summary>The compile queue of a tier hands out the hottest waiting block first.</summary>
public class HottestFirstQueueTests
{
    private static CachedBlock Block(uint address, long retired)
    {
        IrBuilder b = IrTestKit.Builder();
        b.Exit(BlockExit.Jump, 1);
        IrBlock ir = b.Finish(address);
        return new CachedBlock(address, address, 0, [address >> 12], new IrInterpreter().Compile(ir), ir) { RetiredInside = retired };
    }

    [Fact]
    public void TakesTheBlockThatRetiredMostFirst()
    {
        var queue = new HottestFirstQueue();
        CachedBlock warm = Block(0x1000, 2_000), hot = Block(0x2000, 9_000_000), hotter = Block(0x3000, 5_000);
        queue.Add(warm);
        queue.Add(hot);
        queue.Add(hotter);
        hotter.RetiredInside = 12_000_000; // it kept running while it waited
        Assert.True(queue.TryTake(out CachedBlock first));
        Assert.True(queue.TryTake(out CachedBlock second));
        Assert.True(queue.TryTake(out CachedBlock third));
        Assert.Same(hotter, first);
        Assert.Same(hot, second);
        Assert.Same(warm, third);
    }

    [Fact]
    public void CompletedQueueDrainsThenSaysSo()
    {
        var queue = new HottestFirstQueue();
        CachedBlock only = Block(0x1000, 1);
        queue.Add(only);
        queue.CompleteAdding();
        Assert.True(queue.TryTake(out CachedBlock taken));
        Assert.Same(only, taken);
        Assert.False(queue.TryTake(out _));
        Assert.Throws<InvalidOperationException>(() => queue.Add(only));
    }

    [Fact]
    public async Task AWaitingTakerWakesOnAddAndOnCompletion()
    {
        var queue = new HottestFirstQueue();
        CachedBlock block = Block(0x1000, 1);
        Task<CachedBlock?> taker = Task.Run(() => queue.TryTake(out CachedBlock b) ? b : null);
        Assert.NotSame(taker, await Task.WhenAny(taker, Task.Delay(50))); // nothing to take yet
        queue.Add(block);
        Assert.Same(block, await taker);

        Task<bool> waiting = Task.Run(() => queue.TryTake(out _));
        Assert.NotSame(waiting, await Task.WhenAny(waiting, Task.Delay(50)));
        queue.CompleteAdding();
        Assert.False(await waiting);
    }
}
