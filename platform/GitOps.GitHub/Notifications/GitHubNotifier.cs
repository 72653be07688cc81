using System.Threading.Channels;
using GitOps.GitHub.Connection;
using GitOps.Reconciler.Notifications;
using Microsoft.Extensions.Logging;

namespace GitOps.GitHub.Notifications;

/// <summary>
/// The <see cref="INotifier"/> that reports to GitHub. <see cref="NotifyAsync"/> only queues (a bounded queue: when
/// full the oldest notification is dropped with a warning), so a pass never waits for GitHub. One background worker
/// delivers in order, which keeps a deployment's <c>in_progress</c> before its <c>success</c>. A notification GitHub
/// cannot take (down, rate limited past the wait) is delivered again after the retry backoff, at most
/// <see cref="GitHubNotifierSettings.MaxAttempts"/> times; one GitHub refuses (a missing permission, 404, 422) is
/// dropped at once with a warning that says what to fix. Deliveries are idempotent, so a restart that reports the
/// same event again adds nothing.
/// </summary>
public sealed class GitHubNotifier : INotifier, IAsyncDisposable
{
    private readonly GitHubReporter _reporter;
    private readonly GitHubNotifierSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<Notification> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private int _pending;
    private long _delivered;
    private long _dropped;

    public GitHubNotifier(GitHubApi api, GitHubNotifierSettings settings, TimeProvider time, ILogger log)
    {
        _reporter = new GitHubReporter(api, settings);
        _settings = settings;
        _time = time;
        _log = log;
        _queue = Channel.CreateBounded<Notification>(new BoundedChannelOptions(Math.Max(1, settings.QueueCapacity))
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }, dropped =>
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Increment(ref _dropped);
            _log.LogWarning("GitHub notification {Key} dropped: {Capacity} notifications are waiting for GitHub already", dropped.Key, settings.QueueCapacity);
        });
        _worker = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Notifications delivered since start.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Notifications given up (refused by GitHub, out of tries, or pushed out of a full queue).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Notifications queued or being delivered.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public ValueTask NotifyAsync(Notification notification, CancellationToken ct)
    {
        if (!IsCommitSha(notification.Commit))
        {
            // gitops up on a working tree with uncommitted edits: GitHub knows no such commit.
            _log.LogDebug("GitHub notification {Key} not sent: {Commit} is not a commit GitHub can know", notification.Key, notification.Commit);
            return ValueTask.CompletedTask;
        }
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(notification))
        {
            // Only after disposal: the reconciler is stopping.
            Interlocked.Decrement(ref _pending);
            _log.LogDebug("GitHub notification {Key} not queued: the notifier is stopped", notification.Key);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Waits until every queued notification was delivered or given up, or <paramref name="timeout"/> passed
    /// (what <c>gitops reconcile --once</c> does before it exits). True when nothing is left.</summary>
    public async Task<bool> FlushAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (Pending > 0 && _time.GetUtcNow() < deadline && !_worker.IsCompleted)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, ct);
        }
        return Pending == 0;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _worker;
        }
        catch (OperationCanceledException)
        {
            // Stopping: what is still queued is not delivered.
        }
        _stop.Dispose();
    }

    private static bool IsCommitSha(string commit) => commit.Length == 40 && commit.All(char.IsAsciiHexDigit);

    private async Task RunAsync(CancellationToken ct)
    {
        await foreach (var notification in _queue.Reader.ReadAllAsync(ct))
        {
            try
            {
                await DeliverWithRetriesAsync(notification, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private async Task DeliverWithRetriesAsync(Notification notification, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _reporter.DeliverAsync(notification, ct);
                Interlocked.Increment(ref _delivered);
                _log.LogDebug("GitHub notification {Key} delivered", notification.Key);
                return;
            }
            catch (GitHubRequestException e) when (e.Failure is GitHubFailure.MissingPermission or GitHubFailure.NotFound
                or GitHubFailure.Invalid or GitHubFailure.Unauthorized)
            {
                // Trying again cannot help: a person has to grant the permission or fix the settings.
                Interlocked.Increment(ref _dropped);
                _log.LogWarning("GitHub notification {Key} dropped: {Error}", notification.Key, e.Message);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                if (attempt >= _settings.MaxAttempts)
                {
                    Interlocked.Increment(ref _dropped);
                    _log.LogWarning("GitHub notification {Key} dropped after {Attempts} tries: {Error}", notification.Key, attempt, e.Message);
                    return;
                }
                var wait = _settings.Retry.After(attempt);
                _log.LogWarning("GitHub notification {Key} not delivered ({Error}); trying again in {Wait}s (try {Attempt} of {Max})",
                    notification.Key, e.Message, Math.Ceiling(wait.TotalSeconds), attempt, _settings.MaxAttempts);
                await Task.Delay(wait, _time, ct);
            }
        }
    }
}
