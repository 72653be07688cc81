using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using GitOps.GitHub.Connection;
using Octokit;

namespace GitOps.GitHub.Checks;

/// <summary>What publishing one check run did.</summary>
public sealed record CheckRunResult(long Id, string Name, bool Created, int AnnotationsSent, ImmutableArray<string> Rejected);

/// <summary>
/// Creates or updates one check run per name and head commit. A re-run finds the existing run
/// (<c>GET /commits/{sha}/check-runs?check_name=</c>) and updates it instead of adding a second one; since the Checks
/// API appends annotations on every update, annotations the run already has are not sent again. Annotations go in
/// batches of 50 (the API's limit per request); a batch GitHub rejects with 422 is retried one annotation at a time,
/// and the ones still rejected (a path GitHub cannot place, say) are reported and listed in the run's summary rather
/// than failing the whole check or vanishing from it.
/// </summary>
public sealed class CheckRunPublisher(GitHubApi api, GitHubRepository repository)
{
    private const string Permission = "checks: write";

    public async Task<CheckRunResult> PublishAsync(string headSha, CheckRunContent content, string? detailsUrl, CancellationToken ct)
    {
        var existing = await FindAsync(headSha, content.Name, ct);
        var pending = content.Annotations;
        if (existing is not null && !pending.IsEmpty)
        {
            pending = await WithoutExistingAsync(existing.Id, pending, ct);
        }
        var batches = pending.Chunk(GitHubLimits.AnnotationsPerRequest).Select(b => b.ToImmutableArray()).ToList();
        var rejected = new List<(CheckAnnotation Annotation, string Reason)>();
        var sent = 0;
        long id;
        var created = existing is null;
        var first = batches.Count > 0 ? batches[0] : [];
        var completeNow = batches.Count <= 1;
        if (existing is null)
        {
            var run = new NewCheckRun(content.Name, headSha)
            {
                Status = completeNow ? CheckStatus.Completed : CheckStatus.InProgress,
                Conclusion = completeNow ? Conclusion(content.Conclusion) : null,
                DetailsUrl = detailsUrl,
                Output = Output(content, []),
            };
            id = (await api.CallAsync($"create check run '{content.Name}'", Permission,
                c => c.Check.Run.Create(repository.Owner, repository.Name, run), ct)).Id;
            if (!first.IsEmpty)
            {
                sent += await SendAsync(id, content, first, completeNow, rejected, ct);
            }
        }
        else
        {
            id = existing.Id;
            sent += await SendAsync(id, content, first, completeNow, rejected, ct);
        }
        for (var i = 1; i < batches.Count; i++)
        {
            sent += await SendAsync(id, content, batches[i], i == batches.Count - 1, rejected, ct);
        }
        if (rejected.Count > 0)
        {
            await UpdateAsync(id, content with { Summary = WithRefused(content.Summary, rejected) }, [], true, ct);
        }
        return new CheckRunResult(id, content.Name, created, sent, [.. rejected.Select(r => $"{r.Annotation.Path}:{r.Annotation.StartLine}: {r.Reason}")]);
    }

    private async Task<CheckRun?> FindAsync(string headSha, string name, CancellationToken ct)
    {
        var runs = await api.CallAsync($"list check runs of {Short(headSha)}", "checks: read",
            c => c.Check.Run.GetAllForReference(repository.Owner, repository.Name, headSha, new CheckRunRequest { CheckName = name }), ct);
        return runs.CheckRuns.Where(r => r.Name == name && r.HeadSha == headSha).OrderByDescending(r => r.Id).FirstOrDefault();
    }

    private async Task<ImmutableArray<CheckAnnotation>> WithoutExistingAsync(long id, ImmutableArray<CheckAnnotation> annotations, CancellationToken ct)
    {
        var present = await api.CallAsync($"list annotations of check run {id}", "checks: read",
            c => c.Check.Run.GetAllAnnotations(repository.Owner, repository.Name, id), ct);
        var counts = present
            .Select(a => new CheckAnnotation(a.Path, a.StartLine, a.EndLine, a.StartColumn, a.EndColumn,
                Level(a.AnnotationLevel?.StringValue), a.Title ?? "", a.Message))
            .GroupBy(a => a)
            .ToDictionary(g => g.Key, g => g.Count());
        var result = ImmutableArray.CreateBuilder<CheckAnnotation>();
        foreach (var a in annotations)
        {
            if (counts.TryGetValue(a, out var n) && n > 0)
            {
                counts[a] = n - 1;
                continue;
            }
            result.Add(a);
        }
        return result.ToImmutable();
    }

    /// <summary>Updates the run with one batch (and the conclusion when <paramref name="last"/>); returns how many were accepted.</summary>
    private async Task<int> SendAsync(long id, CheckRunContent content, ImmutableArray<CheckAnnotation> batch, bool last,
        List<(CheckAnnotation Annotation, string Reason)> rejected, CancellationToken ct)
    {
        try
        {
            await UpdateAsync(id, content, batch, last, ct);
            return batch.Length;
        }
        catch (GitHubRequestException e) when (e.Failure == GitHubFailure.Invalid && batch.Length > 0)
        {
            // One bad annotation (a path GitHub does not accept, say) must not cost the other 49.
            var accepted = 0;
            foreach (var annotation in batch)
            {
                try
                {
                    await UpdateAsync(id, content, [annotation], false, ct);
                    accepted++;
                }
                catch (GitHubRequestException one) when (one.Failure == GitHubFailure.Invalid)
                {
                    rejected.Add((annotation, one.Message));
                }
            }
            if (last)
            {
                await UpdateAsync(id, content, [], true, ct);
            }
            return accepted;
        }
    }

    /// <summary>The summary with the findings GitHub refused as annotations listed after it, within the size limit.</summary>
    private static string WithRefused(string summary, List<(CheckAnnotation Annotation, string Reason)> rejected)
    {
        var text = new StringBuilder(summary)
            .Append("\n\n### Findings GitHub could not place on a line\n\n")
            .Append("GitHub refused these as annotations (for example, a file that is not part of this commit):\n\n")
            .Append("| File | Line | Finding |\n|---|---|---|\n");
        foreach (var (a, _) in rejected)
        {
            text.Append(CultureInfo.InvariantCulture, $"| `{a.Path}` | {a.StartLine} | {a.Message.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        }
        return GitHubLimits.Fit(text.ToString(), GitHubLimits.CheckRunSummary, "the summary");
    }

    private Task<CheckRun> UpdateAsync(long id, CheckRunContent content, ImmutableArray<CheckAnnotation> batch, bool last, CancellationToken ct)
    {
        var update = new CheckRunUpdate
        {
            Output = Output(content, batch),
            Status = last ? CheckStatus.Completed : CheckStatus.InProgress,
            Conclusion = last ? Conclusion(content.Conclusion) : null,
        };
        return api.CallAsync($"update check run '{content.Name}'", Permission,
            c => c.Check.Run.Update(repository.Owner, repository.Name, id, update), ct);
    }

    private static NewCheckRunOutput Output(CheckRunContent content, ImmutableArray<CheckAnnotation> batch) => new(content.Title, content.Summary)
    {
        Annotations = batch.IsDefaultOrEmpty ? null : [.. batch.Select(ToOctokit)],
    };

    private static NewCheckRunAnnotation ToOctokit(CheckAnnotation a) =>
        new(a.Path, a.StartLine, a.EndLine, a.Level switch
        {
            AnnotationLevel.Failure => CheckAnnotationLevel.Failure,
            AnnotationLevel.Warning => CheckAnnotationLevel.Warning,
            _ => CheckAnnotationLevel.Notice,
        }, a.Message)
        {
            Title = a.Title,
            StartColumn = a.StartColumn,
            EndColumn = a.EndColumn,
        };

    private static AnnotationLevel Level(string? level) => level switch
    {
        "failure" => AnnotationLevel.Failure,
        "warning" => AnnotationLevel.Warning,
        _ => AnnotationLevel.Notice,
    };

    private static CheckConclusion Conclusion(CheckConclusionKind kind) => kind switch
    {
        CheckConclusionKind.Failure => CheckConclusion.Failure,
        CheckConclusionKind.Neutral => CheckConclusion.Neutral,
        CheckConclusionKind.Skipped => CheckConclusion.Skipped,
        _ => CheckConclusion.Success,
    };

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
