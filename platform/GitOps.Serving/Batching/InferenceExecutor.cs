using System.Collections.Immutable;
using System.Threading.Channels;
using GitOps.Serving.Model;
using GitOps.Serving.Protocol;

namespace GitOps.Serving.Batching;

/// <summary>
/// Runs validated requests on the model, merging concurrent ones into batches when batching is enabled
/// and the model allows it. A batched request gets exactly the rows an unbatched run would return.
/// </summary>
public sealed class InferenceExecutor : IAsyncDisposable
{
    private readonly OnnxModel _model;
    private readonly BatchingOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<int>? _onBatch;
    private readonly Channel<Pending>? _queue;
    private readonly SemaphoreSlim? _slots;
    private readonly Task? _loop;
    // Requests handed to the batching loop and not yet running: in its channel or in a batch waiting for a slot.
    private int _waiting;
    private volatile bool _closed;

    private sealed record Pending(InferenceRequest Request, TaskCompletionSource<ImmutableArray<Tensor>> Completion);

    /// <param name="onBatch">Called with the number of rows of every model run (for the batch size histogram).</param>
    public InferenceExecutor(OnnxModel model, BatchingOptions options, TimeProvider time, Action<int>? onBatch = null)
    {
        _model = model;
        _options = options;
        _time = time;
        _onBatch = onBatch;
        if (options.Enabled && model.Batchable)
        {
            _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
            _slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentBatches));
            _loop = Task.Run(CollectBatchesAsync);
        }
    }

    public bool Batching => _queue is not null;

    /// <summary>Runs a request (possibly together with others) and returns its outputs in model order.</summary>
    /// <remarks>A value task: a run on the caller's thread (unbatched, or alone in an idle model) completes before it
    /// returns and allocates no task.</remarks>
    public ValueTask<ImmutableArray<Tensor>> RunAsync(InferenceRequest request, CancellationToken ct)
    {
        if (_queue is null || request.Rows >= _options.MaxBatchSize)
        {
            _onBatch?.Invoke(request.Rows);
            return new ValueTask<ImmutableArray<Tensor>>(_model.Run(request.Inputs));
        }
        if (_options.MaxDelay == TimeSpan.Zero && TryRunAlone(request) is { } alone)
        {
            return new ValueTask<ImmutableArray<Tensor>>(alone);
        }
        var pending = new Pending(request, new TaskCompletionSource<ImmutableArray<Tensor>>(TaskCreationOptions.RunContinuationsAsynchronously));
        Interlocked.Increment(ref _waiting);
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _waiting);
            throw new InvalidOperationException("the inference executor is shut down");
        }
        // Cancelling the wait does not withdraw the rows from a batch; the batch runs for the others.
        return new ValueTask<ImmutableArray<Tensor>>(pending.Completion.Task.WaitAsync(ct));
    }

    /// <summary>
    /// Greedy batching with a free slot and nobody waiting: the loop would make a batch of this request alone, so it
    /// runs here, on the caller's thread, without the two thread hops of the hand-off (to the loop and back). Null when
    /// the request has to go through the loop.
    /// </summary>
    private ImmutableArray<Tensor>? TryRunAlone(InferenceRequest request)
    {
        if (Volatile.Read(ref _waiting) != 0 || _closed || !_slots!.Wait(0))
        {
            return null;
        }
        try
        {
            // Checked again with the slot held: a request queued meanwhile goes first, in its batch.
            if (Volatile.Read(ref _waiting) != 0)
            {
                return null;
            }
            _onBatch?.Invoke(request.Rows);
            return _model.Run(request.Inputs);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task CollectBatchesAsync()
    {
        var reader = _queue!.Reader;
        Pending? carried = null;
        while (carried is not null || await reader.WaitToReadAsync())
        {
            var batch = new List<Pending>();
            var rows = 0;
            if (carried is not null)
            {
                batch.Add(carried);
                rows = carried.Request.Rows;
                carried = null;
            }
            else if (reader.TryRead(out var first))
            {
                batch.Add(first);
                rows = first.Request.Rows;
            }
            else
            {
                continue;
            }

            var deadline = _time.GetTimestamp() + (long)(_options.MaxDelay.TotalSeconds * _time.TimestampFrequency);
            while (rows < _options.MaxBatchSize)
            {
                if (reader.TryRead(out var next))
                {
                    if (rows + next.Request.Rows > _options.MaxBatchSize)
                    {
                        carried = next;
                        break;
                    }
                    batch.Add(next);
                    rows += next.Request.Rows;
                    continue;
                }
                var remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }
                using var timeout = new CancellationTokenSource(remaining, _time);
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    break;
                }
            }

            await _slots!.WaitAsync();
            // Requests that arrived while every slot was busy join now: waiting for the slot cost them nothing.
            while (carried is null && rows < _options.MaxBatchSize && reader.TryRead(out var late))
            {
                if (rows + late.Request.Rows > _options.MaxBatchSize)
                {
                    carried = late;
                    break;
                }
                batch.Add(late);
                rows += late.Request.Rows;
            }
            _ = Task.Run(() => Execute(batch));
        }
    }

    private void Execute(List<Pending> batch)
    {
        Interlocked.Add(ref _waiting, -batch.Count);
        try
        {
            var requests = batch.Select(p => p.Request).ToList();
            var rows = requests.Sum(r => r.Rows);
            _onBatch?.Invoke(rows);
            var outputs = _model.Run(TensorBatch.Concat(requests));
            var parts = TensorBatch.Split(outputs, requests);
            if (parts is null)
            {
                // The graph's outputs do not follow the batch dimension: answer each request on its own.
                foreach (var pending in batch)
                {
                    Complete(pending, () => _model.Run(pending.Request.Inputs));
                }
                return;
            }
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(parts[i]);
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(e);
            }
        }
        finally
        {
            _slots!.Release();
        }
    }

    private static void Complete(Pending pending, Func<ImmutableArray<Tensor>> run)
    {
        try
        {
            pending.Completion.TrySetResult(run());
        }
        catch (Exception e)
        {
            pending.Completion.TrySetException(e);
        }
    }

    /// <summary>Stops accepting requests; those already queued are still run.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_queue is not null)
        {
            _closed = true;
            _queue.Writer.TryComplete();
            await _loop!;
            for (var i = 0; i < Math.Max(1, _options.MaxConcurrentBatches); i++)
            {
                await _slots!.WaitAsync();
            }
            _slots!.Dispose();
        }
    }
}
