using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Octokit.Webhooks.Events;

namespace GitOps.Reconciler.Webhooks;

/// <summary>
/// Webhook bodies read as Octokit.Webhooks' event types. GitHub sends complete payloads, but Git servers that speak
/// GitHub's webhook dialect (GitHub Enterprise Server versions, Gitea, Forgejo) leave out fields the types mark
/// required, such as <c>compare</c>; the reconciler only needs the ref, so nothing is required here and a field it
/// uses that is missing reads as null.
/// </summary>
public static class WebhookPayloads
{
    private static readonly JsonSerializerOptions Lenient = new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                static info =>
                {
                    foreach (var property in info.Properties)
                    {
                        property.IsRequired = false;
                    }
                },
            },
        },
    };

    /// <summary>The push event in <paramref name="body"/>; null when it is not a JSON object of that shape.</summary>
    public static PushEvent? ReadPush(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize<PushEvent>(body, Lenient);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
