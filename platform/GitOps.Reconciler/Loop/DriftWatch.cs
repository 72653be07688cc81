using System.Threading.Channels;
using GitOps.Specs;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Loop;

/// <summary>
/// Connects an <see cref="IDriftSource"/> to the loop: one watch per environment (in the namespace its last loaded
/// commit names), and for each burst of outside changes one <see cref="ReconcileTrigger"/> request for that
/// environment, <see cref="Debounce"/> after the first change, so a <c>kubectl edit</c> of three objects causes one pass.
/// A managed Job that finished, or a managed Deployment that became available or degraded, wakes a pass the same way,
/// without counting as drift.
/// A watch that fails is opened again after the shared backoff; drift is then still found by the interval pass.
/// </summary>
public sealed class DriftWatch(IDriftSource source, ReconcileTrigger trigger, TimeProvider time, TimeSpan debounce, ILogger log)
{
    private static readonly Backoff Reopen = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Namespace, CancellationTokenSource Stop, Task Run)> _watches = new(StringComparer.Ordinal);
    private long _detected;

    /// <summary>How long a burst of changes is collected before the pass is asked for.</summary>
    public TimeSpan Debounce => debounce;

    /// <summary>Outside changes seen since start (finished Jobs are not counted).</summary>
    public long DetectedCount => Interlocked.Read(ref _detected);

    /// <summary>Watches <paramref name="environment"/> in <paramref name="namespace"/> from now on (no-op when it
    /// already does; a new namespace replaces the old watch).</summary>
    public void Follow(string environment, string @namespace)
    {
        lock (_gate)
        {
            if (_watches.TryGetValue(environment, out var current))
            {
                if (current.Namespace == @namespace && !current.Run.IsCompleted)
                {
                    return;
                }
                current.Stop.Cancel();
            }
            var stop = new CancellationTokenSource();
            _watches[environment] = (@namespace, stop, Task.Run(() => WatchAsync(environment, @namespace, stop.Token), CancellationToken.None));
        }
    }

    /// <summary>Stops every watch (the replica stopped leading, or shuts down).</summary>
    public async Task StopAsync()
    {
        List<(string Namespace, CancellationTokenSource Stop, Task Run)> watches;
        lock (_gate)
        {
            watches = [.. _watches.Values];
            _watches.Clear();
        }
        foreach (var watch in watches)
        {
            await watch.Stop.CancelAsync();
        }
        foreach (var watch in watches)
        {
            await watch.Run;
            watch.Stop.Dispose();
        }
    }

    private async Task WatchAsync(string environment, string @namespace, CancellationToken ct)
    {
        var changes = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var debouncing = DebounceAsync(environment, changes.Reader, ct);
        var failures = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await foreach (var change in source.WatchDriftAsync(environment, @namespace, ct))
                    {
                        failures = 0;
                        if (change.IsDrift)
                        {
                            Interlocked.Increment(ref _detected);
                        }
                        log.LogInformation("{Environment}: {Change}", environment, change.Description);
                        changes.Writer.TryWrite(change.IsDrift ? $"drift: {change.Description}" : change.Description);
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested && e is not OperationCanceledException)
                {
                    failures++;
                    var wait = Reopen.After(failures);
                    log.LogWarning("{Environment}: cannot watch the managed objects in {Namespace} ({Error}); watching again in {Wait}, "
                        + "and the interval pass still finds drift", environment, @namespace, e.Message, Durations.Format(wait));
                    log.LogDebug(e, "{Environment}: watch failed", environment);
                    await Task.Delay(wait, time, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
        changes.Writer.TryComplete();
        await debouncing;
    }

    private async Task DebounceAsync(string environment, ChannelReader<string> changes, CancellationToken ct)
    {
        try
        {
            while (await changes.WaitToReadAsync(ct))
            {
                // Later changes of the burst are dropped by the bounded channel while this waits.
                await Task.Delay(debounce, time, ct);
                if (changes.TryRead(out var first))
                {
                    trigger.Request(first, environment);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
    }
}
