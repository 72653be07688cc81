using GitOps.Reconciler.Loop;
using GitOps.Reconciler.Metrics;
using GitOps.Reconciler.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Octokit.Webhooks;

namespace GitOps.Reconciler.Hosting;

/// <summary>
/// <c>POST /webhook/github</c>: a push to the watched branch triggers an immediate fetch. The body is checked
/// against <c>X-Hub-Signature-256</c> before anything else is read from it; a missing or wrong signature is
/// answered 401 and triggers nothing (the HMAC comparison is constant-time). A delivery seen before (same
/// <c>X-GitHub-Delivery</c>) triggers nothing again. With a <see cref="IPushRelay"/> a push is also published to the
/// other replicas (a standby, the other shards), which fetch too; a relay that cannot be written is logged and the
/// delivery still answered 202 (the others fetch at their interval). Event names and bodies are Octokit.Webhooks'
/// types (<see cref="WebhookPayloads"/>).
/// </summary>
public sealed class GitHubWebhookEndpoint(
    WebhookSecret secret,
    string branch,
    ReconcileTrigger trigger,
    ILogger<GitHubWebhookEndpoint> log,
    RecentDeliveries? deliveries = null,
    IPushRelay? relay = null,
    ReconcilerMetrics? metrics = null)
{
    /// <summary>GitHub caps webhook payloads at 25 MB.</summary>
    public const long MaxBodyBytes = 25L * 1024 * 1024;

    /// <summary>GitHub gives a delivery 10 s: telling the other replicas may take part of it, never all.</summary>
    private static readonly TimeSpan RelayTimeout = TimeSpan.FromSeconds(5);

    private readonly RecentDeliveries _deliveries = deliveries ?? new RecentDeliveries();

    public async Task<IResult> HandleAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return Results.Text("payload too large\n", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        var body = await ReadBodyAsync(request, ct);
        if (body is null)
        {
            return Results.Text("payload too large\n", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        var delivery = request.Headers["X-GitHub-Delivery"].ToString();
        var verdict = GitHubWebhookSignature.Verify(body, request.Headers[GitHubWebhookSignature.HeaderName].ToString(), secret.Value);
        if (verdict != WebhookSignatureResult.Valid)
        {
            log.LogWarning("Rejected webhook delivery {Delivery}: signature {Verdict}", Printable(delivery), verdict);
            return Results.Text($"signature {verdict.ToString().ToLowerInvariant()}\n", statusCode: StatusCodes.Status401Unauthorized);
        }
        if (delivery.Length > 0 && !_deliveries.Add(delivery))
        {
            log.LogInformation("Ignored webhook delivery {Delivery}: already received", Printable(delivery));
            return Results.Text("duplicate delivery, ignored\n");
        }

        var kind = request.Headers["X-GitHub-Event"].ToString();
        switch (kind)
        {
            case WebhookEventType.Ping:
                return Results.Text("pong\n");
            case WebhookEventType.Push:
                if (WebhookPayloads.ReadPush(body) is not { } push)
                {
                    return Results.Text("push payload is not a JSON push event\n", statusCode: StatusCodes.Status400BadRequest);
                }
                var pushedRef = push.Ref;
                if (pushedRef != $"refs/heads/{branch}")
                {
                    return Results.Text($"push to {pushedRef ?? "an unknown ref"} ignored: watching refs/heads/{branch}\n");
                }
                log.LogInformation("Webhook delivery {Delivery}: push to {Ref}, fetching now", Printable(delivery), pushedRef);
                trigger.Request($"webhook push {Printable(delivery)}");
                metrics?.RecordPush(relayed: false);
                await RelayAsync(delivery, ct);
                return Results.Text("fetch triggered\n", statusCode: StatusCodes.Status202Accepted);
            default:
                return Results.Text($"event '{Printable(kind)}' ignored\n");
        }
    }

    private async Task RelayAsync(string delivery, CancellationToken ct)
    {
        if (relay is null)
        {
            return;
        }
        // A delivery without an id is relayed under one of ours, so the other replicas can tell pushes apart; this
        // replica knows it already when the relay shows it back.
        var id = delivery;
        if (id.Length == 0)
        {
            id = "local-" + Guid.NewGuid().ToString("N");
            _deliveries.Add(id);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RelayTimeout);
        try
        {
            await relay.PublishAsync(id, timeout.Token);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var error = e is OperationCanceledException ? $"no answer from the API server within {RelayTimeout.TotalSeconds:0} s" : e.Message;
            log.LogWarning("Webhook delivery {Delivery}: could not tell the other reconciler replicas ({Error}); they fetch at their interval",
                Printable(id), error);
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    // Header values come from the network: keep log lines short and on one line.
    private static string Printable(string value)
    {
        var clean = new string([.. value.Where(c => !char.IsControl(c)).Take(80)]);
        return clean.Length == 0 ? "-" : clean;
    }
}
