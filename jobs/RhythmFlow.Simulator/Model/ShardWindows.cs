using System.Runtime.ExceptionServices;
using RhythmFlow.Simulator.Output;

namespace RhythmFlow.Simulator.Model;

/// <summary>
/// The shards' events window by window, in window order: <see cref="Next"/> returns one buffer per shard
/// holding every event of the next window, <see cref="Release"/> hands those buffers back once they are
/// emitted. Window 0 is the pre-roll (users and their unemitted events up to the start).
/// </summary>
internal abstract class ShardWindows : IDisposable
{
    private readonly long _startSeconds;
    private readonly long _endSeconds;
    private readonly long _windowSeconds;

    protected ShardWindows(SimulationModel model, long windowSeconds)
    {
        _startSeconds = model.StartSeconds;
        _endSeconds = model.EndSeconds;
        _windowSeconds = windowSeconds;
        Count = 1 + (int)((_endSeconds - _startSeconds + windowSeconds - 1) / windowSeconds);
    }

    /// <summary>Windows including the pre-roll.</summary>
    public int Count { get; }

    /// <summary>One buffer set for <paramref name="threads"/> = 1, else a ring of worker threads running ahead.</summary>
    public static ShardWindows Create(Shard[] shards, SimulationModel model, long windowSeconds, int threads) =>
        threads <= 1 ? new InlineWindows(shards, model, windowSeconds) : new PipelinedWindows(shards, model, windowSeconds, threads);

    /// <summary>Exclusive end of window <paramref name="index"/>: the start + 1 s for the pre-roll, then steps of the window length.</summary>
    public long End(int index) => index == 0 ? _startSeconds + 1 : Math.Min(_startSeconds + (index * _windowSeconds), _endSeconds);

    /// <summary>Waits for the next window and returns its buffers, one per shard.</summary>
    public abstract EventBuffer[] Next(CancellationToken cancellationToken);

    /// <summary>The buffers from the last <see cref="Next"/> are emitted and may be refilled.</summary>
    public abstract void Release();

    public abstract void Dispose();

    /// <summary>One thread: each window is simulated when asked for, on the caller's thread.</summary>
    private sealed class InlineWindows(Shard[] shards, SimulationModel model, long windowSeconds) : ShardWindows(model, windowSeconds)
    {
        private readonly Shard[] _shards = shards;
        private readonly EventBuffer[] _buffers = [.. shards.Select(_ => new EventBuffer())];
        private int _next;

        public override EventBuffer[] Next(CancellationToken cancellationToken)
        {
            var end = End(_next);
            for (var i = 0; i < _shards.Length; i++)
            {
                _shards[i].Run(end, _buffers[i]);
            }

            return _buffers;
        }

        public override void Release() => _next++;

        public override void Dispose()
        {
            foreach (var buffer in _buffers)
            {
                buffer.Dispose();
            }
        }
    }

    /// <summary>
    /// Worker threads, each owning a contiguous block of shards for the whole run, simulate up to
    /// <see cref="Depth"/> windows ahead of the emitter into a ring of buffer sets. A worker never waits for
    /// another worker, only for a free slot, so one descheduled thread (the machine is shared) stalls nothing
    /// until the ring is full; windows become ready in order because every worker finishes its windows in order.
    /// Dedicated threads instead of the pool: a window is a millisecond or two of work, and pool handoffs
    /// (Parallel.For per window) cost more than that on a loaded machine.
    /// </summary>
    private sealed class PipelinedWindows : ShardWindows
    {
        private const int Depth = 4;

        private readonly Shard[] _shards;
        private readonly EventBuffer[][] _slots = new EventBuffer[Depth][];
        private readonly int[] _pending = new int[Depth];
        private readonly SemaphoreSlim _ready = new(0);
        private readonly SemaphoreSlim[] _free;
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread[] _workers;
        private ExceptionDispatchInfo? _failure;
        private int _next;

        public PipelinedWindows(Shard[] shards, SimulationModel model, long windowSeconds, int threads)
            : base(model, windowSeconds)
        {
            _shards = shards;
            var workers = Math.Min(threads, shards.Length);
            for (var slot = 0; slot < Depth; slot++)
            {
                _slots[slot] = new EventBuffer[shards.Length];
                _pending[slot] = workers;
            }

            _free = [.. Enumerable.Range(0, workers).Select(_ => new SemaphoreSlim(Depth))];
            _workers = [.. Enumerable.Range(0, workers).Select(w => new Thread(() => Work(w, workers)) { IsBackground = true, Name = $"simulate-{w}" })];
            foreach (var worker in _workers)
            {
                worker.Start();
            }
        }

        public override EventBuffer[] Next(CancellationToken cancellationToken)
        {
            _ready.Wait(cancellationToken);
            _failure?.Throw();
            return _slots[_next % Depth];
        }

        public override void Release()
        {
            _pending[_next % Depth] = _workers.Length;
            _next++;
            foreach (var free in _free)
            {
                free.Release();
            }
        }

        public override void Dispose()
        {
            _stop.Cancel();
            foreach (var worker in _workers)
            {
                worker.Join();
            }

            foreach (var buffer in _slots.SelectMany(s => s).OfType<EventBuffer>())
            {
                buffer.Dispose();
            }

            foreach (var free in _free)
            {
                free.Dispose();
            }

            _ready.Dispose();
            _stop.Dispose();
        }

        private void Work(int worker, int workers)
        {
            // Contiguous blocks keep neighbouring shards' state (allocated side by side) on one thread.
            var first = worker * _shards.Length / workers;
            var last = (worker + 1) * _shards.Length / workers;
            try
            {
                // Allocated here so each worker's hot buffer headers sit in its own allocation context:
                // buffers written by two cores must not share a cache line.
                for (var slot = 0; slot < Depth; slot++)
                {
                    for (var i = first; i < last; i++)
                    {
                        _slots[slot][i] = new EventBuffer();
                    }
                }

                for (var window = 0; window < Count; window++)
                {
                    _free[worker].Wait(_stop.Token);
                    var slot = window % Depth;
                    var end = End(window);
                    for (var i = first; i < last; i++)
                    {
                        _shards[i].Run(end, _slots[slot][i]);
                    }

                    if (Interlocked.Decrement(ref _pending[slot]) == 0)
                    {
                        _ready.Release();
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Disposed before the end: the run was cancelled or failed.
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null);
                _ready.Release();
            }
        }
    }
}
