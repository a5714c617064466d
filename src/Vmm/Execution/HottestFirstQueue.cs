namespace Transmeta.Vmm.Execution;

/// <summary>
/// The requests waiting for one tier's compiler thread, handed out hottest first: the block that
/// has retired the most guest instructions (<see cref="CachedBlock.RetiredInside"/>, which keeps
/// growing while a block waits in the tier below). A compile of the top tier takes a hundred
/// milliseconds or more, so several requests wait at once when a program's hot loops get hot
/// together; in arrival order, the loop that runs most waited behind warm ones.
/// </summary>
public sealed class HottestFirstQueue
{
    private readonly List<CachedBlock> _waiting = new();
    private bool _completed;

    public void Add(CachedBlock block)
    {
        lock (_waiting)
        {
            if (_completed) throw new InvalidOperationException("the queue was completed");
            _waiting.Add(block);
            Monitor.Pulse(_waiting);
        }
    }

    /// <summary>No more requests: <see cref="TryTake"/> returns false once the queue is empty.</summary>
    public void CompleteAdding()
    {
        lock (_waiting)
        {
            _completed = true;
            Monitor.PulseAll(_waiting);
        }
    }

    /// <summary>Waits for a request and removes the hottest; false when completed and empty.</summary>
    public bool TryTake(out CachedBlock block)
    {
        lock (_waiting)
        {
            while (_waiting.Count == 0)
            {
                if (_completed)
                {
                    block = null!;
                    return false;
                }
                Monitor.Wait(_waiting);
            }
            int hottest = 0;
            // RetiredInside is written by the dispatcher thread; a stale read only changes the order.
            for (int i = 1; i < _waiting.Count; i++)
                if (_waiting[i].RetiredInside > _waiting[hottest].RetiredInside) hottest = i;
            block = _waiting[hottest];
            _waiting.RemoveAt(hottest);
            return true;
        }
    }
}
