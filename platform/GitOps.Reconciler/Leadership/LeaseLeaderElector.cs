using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Reconciler.Drivers.Kubernetes;

namespace GitOps.Reconciler.Leadership;

/// <summary>Settings of a <see cref="LeaseLeaderElector"/>; defaults are those of Kubernetes controllers.</summary>
public sealed record LeaderElectionOptions
{
    public required string Namespace { get; init; }

    /// <summary>This candidate's name, unique among replicas (the pod name is a good choice).</summary>
    public required string Identity { get; init; }

    /// <summary>The Lease of a reconciler that is not sharded; each shard's ends with <c>-shard-K-of-N</c>.</summary>
    public const string DefaultLeaseName = "gitops-reconciler";

    public string LeaseName { get; init; } = DefaultLeaseName;

    /// <summary>How long others wait after the last renewal they saw before taking over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A leader that has not renewed for this long stops leading, before others can take over.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause between attempts to acquire or renew.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Leader election on a <c>coordination.k8s.io/v1</c> Lease, like client-go's: the holder renews
/// <c>renewTime</c> every retry period; a candidate takes over only when the record it observes has not changed
/// for a whole lease duration measured on its own clock (so clock skew between nodes does not matter). Every
/// write carries the resourceVersion it read, so two candidates can never both win.
/// </summary>
public sealed class LeaseLeaderElector(KubernetesApiConnection api, LeaderElectionOptions options, TimeProvider time)
{
    private const string MicroTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private string? _observedRecord;
    private DateTimeOffset _observedAt;
    private DateTimeOffset? _lastRenewed;
    private volatile bool _isLeader;

    public bool IsLeader => _isLeader;

    /// <summary>The holder named in the lease the last time it was read.</summary>
    public string? ObservedHolder { get; private set; }

    private string LeasePath => KubernetesPaths.Item("coordination.k8s.io/v1", "leases", options.Namespace, options.LeaseName);

    /// <summary>One round: create, renew or take over the lease when allowed. Returns whether this candidate leads.</summary>
    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        bool won;
        try
        {
            won = await TryWriteAsync(now, ct);
        }
        catch (KubernetesApiException) when (!ct.IsCancellationRequested)
        {
            won = false;
        }
        if (won)
        {
            _lastRenewed = now;
            _isLeader = true;
        }
        else if (_isLeader && (_lastRenewed is null || now - _lastRenewed.Value >= options.RenewDeadline || ObservedHolder != options.Identity))
        {
            _isLeader = false;
        }
        return _isLeader;
    }

    /// <summary>
    /// Campaigns until <paramref name="ct"/> is cancelled. While leading, <paramref name="lead"/> runs with a token
    /// that is cancelled as soon as leadership is lost. When the work ends on its own, or <paramref name="watchdog"/>
    /// says it is stuck, this candidate steps down: the work is cancelled, the Lease released, and it does not campaign
    /// again for a lease duration (nor while stuck work still runs), so a standby takes over. On exit the lease is
    /// released so another replica can take over at once.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken ct, LeaderWatchdog? watchdog = null)
    {
        CancellationTokenSource? leading = null;
        Task? work = null;
        Task? abandoned = null;
        var campaignAfter = DateTimeOffset.MinValue;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (work is not null && (work.IsCompleted || watchdog is { IsStuck: true }))
                {
                    // Renewing the Lease for work that ended or hangs would keep every standby out for good.
                    StepDowns++;
                    await leading!.CancelAsync();
                    abandoned = work;
                    _ = work.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    (leading, work) = (null, null);
                    await ReleaseAsync(ct);
                    campaignAfter = time.GetUtcNow() + options.LeaseDuration;
                }
                var mayCampaign = (abandoned is null || abandoned.IsCompleted) && time.GetUtcNow() >= campaignAfter;
                var isLeader = mayCampaign && await TryAcquireOrRenewAsync(ct);
                if (isLeader && work is null)
                {
                    leading = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    var leadingToken = leading.Token;
                    work = Task.Run(() => lead(leadingToken), CancellationToken.None);
                }
                else if (!isLeader && work is not null)
                {
                    await StopAsync(leading!, work);
                    leading!.Dispose();
                    (leading, work) = (null, null);
                }
                await Task.Delay(options.RetryPeriod, time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            if (work is not null)
            {
                await StopAsync(leading!, work);
                leading!.Dispose();
            }
            if (_isLeader)
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await ReleaseAsync(grace.Token);
            }
        }
    }

    /// <summary>How many times this candidate gave its Lease up because its work ended or got stuck.</summary>
    public int StepDowns { get; private set; }

    /// <summary>Gives the lease up (empty holder) if this candidate holds it, so others need not wait for expiry.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        _isLeader = false;
        try
        {
            var response = await api.SendAsync(HttpMethod.Get, LeasePath, null, null, ct);
            if (!response.IsSuccess || response.Body is not { } lease || Holder(lease) != options.Identity)
            {
                return;
            }
            var now = time.GetUtcNow();
            lease["spec"] = new JsonObject
            {
                ["holderIdentity"] = "",
                ["leaseDurationSeconds"] = 1,
                ["acquireTime"] = MicroTime(now),
                ["renewTime"] = MicroTime(now),
                ["leaseTransitions"] = Transitions(lease),
            };
            await api.SendAsync(HttpMethod.Put, LeasePath, lease, "application/json", ct);
        }
        catch (Exception e) when (e is KubernetesApiException or OperationCanceledException)
        {
            // Best effort: if the release fails the lease simply expires.
        }
    }

    private async Task<bool> TryWriteAsync(DateTimeOffset now, CancellationToken ct)
    {
        var response = await api.SendAsync(HttpMethod.Get, LeasePath, null, null, ct);
        if (response.StatusCode == 404)
        {
            var created = await api.SendAsync(HttpMethod.Post,
                KubernetesPaths.Collection("coordination.k8s.io/v1", "leases", options.Namespace),
                NewLease(now, acquireTime: now, transitions: 0, resourceVersion: null), "application/json", ct);
            if (created.IsSuccess && created.Body is { } body)
            {
                Observe(body, now);
                return true;
            }
            return false;
        }
        if (!response.IsSuccess || response.Body is not { } lease)
        {
            throw KubernetesApiException.From("read lease", response);
        }
        Observe(lease, now);
        var holder = Holder(lease);
        var iHold = holder == options.Identity;
        var duration = TimeSpan.FromSeconds(lease["spec"]?["leaseDurationSeconds"]?.GetValue<int>() ?? (int)options.LeaseDuration.TotalSeconds);
        if (!iHold && !string.IsNullOrEmpty(holder) && now < _observedAt + duration)
        {
            return false;
        }
        var acquireTime = iHold && lease["spec"]?["acquireTime"]?.GetValue<string>() is { } acquired
            ? DateTimeOffset.Parse(acquired, CultureInfo.InvariantCulture)
            : now;
        var transitions = Transitions(lease) + (iHold ? 0 : 1);
        var updated = await api.SendAsync(HttpMethod.Put, LeasePath,
            NewLease(now, acquireTime, transitions, lease["metadata"]?["resourceVersion"]?.GetValue<string>()), "application/json", ct);
        if (updated.IsSuccess && updated.Body is { } written)
        {
            Observe(written, now);
            return true;
        }
        return false;
    }

    private void Observe(JsonObject lease, DateTimeOffset now)
    {
        var record = lease["spec"]?.ToJsonString() ?? "";
        ObservedHolder = Holder(lease);
        if (record != _observedRecord)
        {
            _observedRecord = record;
            _observedAt = now;
        }
    }

    private JsonObject NewLease(DateTimeOffset now, DateTimeOffset acquireTime, int transitions, string? resourceVersion)
    {
        var metadata = new JsonObject { ["name"] = options.LeaseName, ["namespace"] = options.Namespace };
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }
        return new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = options.Identity,
                ["leaseDurationSeconds"] = (int)Math.Ceiling(options.LeaseDuration.TotalSeconds),
                ["acquireTime"] = MicroTime(acquireTime),
                ["renewTime"] = MicroTime(now),
                ["leaseTransitions"] = transitions,
            },
        };
    }

    /// <summary>Cancels the leader's work and waits for it to end, at most a lease duration: work that ignores
    /// cancellation is abandoned rather than holding this candidate (and its Lease release) forever.</summary>
    private async Task StopAsync(CancellationTokenSource leading, Task work)
    {
        await leading.CancelAsync();
        try
        {
            await work.WaitAsync(options.LeaseDuration, time, CancellationToken.None);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // The leader's work ends by cancellation; or it hangs, and is left behind.
        }
    }

    private static string? Holder(JsonObject lease) => lease["spec"]?["holderIdentity"]?.GetValue<string>();

    private static int Transitions(JsonObject lease) => lease["spec"]?["leaseTransitions"]?.GetValue<int>() ?? 0;

    private static string MicroTime(DateTimeOffset t) => t.UtcDateTime.ToString(MicroTimeFormat, CultureInfo.InvariantCulture);
}
