using GitOps.GitHub.Connection;

namespace GitOps.GitHub.Comments;

/// <summary>What upserting a marked comment did.</summary>
public sealed record CommentResult(long Id, string Url, bool Created);

/// <summary>
/// A comment on an issue or pull request that GitOps ML owns, recognised by a hidden marker at the start of its
/// body: the first comment starting with the marker is edited, and one is created only when none exists. Every page
/// of comments is read (the list is paged by <c>Link</c> headers), so a long discussion cannot hide the comment.
/// </summary>
public sealed class MarkedComment(GitHubApi api, GitHubRepository repository)
{
    /// <summary>Edits the marked comment of <paramref name="number"/> or creates it; <paramref name="body"/> must start with <paramref name="marker"/>.</summary>
    public async Task<CommentResult> UpsertAsync(int number, string marker, string body, CancellationToken ct)
    {
        if (!body.StartsWith(marker, StringComparison.Ordinal))
        {
            throw new ArgumentException("the body must start with its marker, or the next run could not find it", nameof(body));
        }
        var existing = await FindAsync(number, marker, ct);
        if (existing is not null)
        {
            if (existing.Value.Body == body)
            {
                return new CommentResult(existing.Value.Id, existing.Value.Url, Created: false);
            }
            var updated = await api.CallAsync($"edit comment {existing.Value.Id} on #{number}", "pull-requests: write",
                c => c.Issue.Comment.Update(repository.Owner, repository.Name, existing.Value.Id, body), ct);
            return new CommentResult(updated.Id, updated.HtmlUrl, Created: false);
        }
        var created = await api.CallAsync($"comment on #{number}", "pull-requests: write",
            c => c.Issue.Comment.Create(repository.Owner, repository.Name, number, body), ct);
        return new CommentResult(created.Id, created.HtmlUrl, Created: true);
    }

    /// <summary>The first comment of <paramref name="number"/> whose body starts with <paramref name="marker"/>.</summary>
    public async Task<(long Id, string Url, string Body)?> FindAsync(int number, string marker, CancellationToken ct)
    {
        var comments = await api.CallAsync($"list comments of #{number}", "pull-requests: read",
            c => c.Issue.Comment.GetAllForIssue(repository.Owner, repository.Name, number), ct);
        var found = comments.OrderBy(c => c.Id).FirstOrDefault(c => c.Body?.StartsWith(marker, StringComparison.Ordinal) == true);
        return found is null ? null : (found.Id, found.HtmlUrl, found.Body!);
    }
}
