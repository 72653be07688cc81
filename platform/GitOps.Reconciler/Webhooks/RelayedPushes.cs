using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Specs;
using Microsoft.Extensions.Logging;

namespace GitOps.Reconciler.Webhooks;

/// <summary>
/// Follows an <see cref="IPushRelay"/> for the life of the reconciler: a push another replica received (one this
/// replica has not handled, <see cref="RecentDeliveries"/>) requests a fetch as a webhook delivered here would. A relay
/// that fails is opened again after the shared backoff; pushes are then still found at the interval.
/// </summary>
public sealed class RelayedPushes(IPushRelay relay, RecentDeliveries deliveries, ReconcileTrigger trigger, ReconcilerMetrics metrics,
    TimeProvider time, ILogger log)
{
    private static readonly Backoff Reopen = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    /// <summary>Pushes received by another replica and fetched here.</summary>
    public long RelayedCount => Interlocked.Read(ref _relayed);

    private long _relayed;

    public async Task RunAsync(CancellationToken ct)
    {
        var failures = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await foreach (var delivery in relay.WatchAsync(ct))
                    {
                        failures = 0;
                        if (deliveries.Add(delivery))
                        {
                            Interlocked.Increment(ref _relayed);
                            metrics.RecordPush(relayed: true);
                            log.LogInformation("Webhook delivery {Delivery} received by another replica: fetching now", delivery);
                            trigger.Request($"webhook push {delivery} (relayed)");
                        }
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested && e is not OperationCanceledException)
                {
                    failures++;
                    var wait = Reopen.After(failures);
                    log.LogWarning("Cannot follow the pushes other replicas receive ({Error}); trying again in {Wait}, and the interval pass still fetches",
                        e.Message, Durations.Format(wait));
                    await Task.Delay(wait, time, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
    }
}
