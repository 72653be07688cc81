using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Specs;

/// <summary>
/// Validating a large commit a part at a time, for a caller that keeps only some of its models (a reconciler shard):
/// the documents outside <c>models/</c> (environments, gates, rollout and organisation policies) are loaded once,
/// then the model folders (<c>models/&lt;name&gt;/</c>) <see cref="FoldersPerChunk"/> at a time, each part checked
/// with those documents and let go but for the models <see cref="KeepsModel"/> names and their experiments. What a
/// pass holds then grows with the models it keeps, not with the commit.
/// </summary>
/// <remarks>
/// The result is the one of validating the commit whole, diagnostics included, because every check of a model reads
/// only the model, the experiments beside it and the documents outside <c>models/</c>. Whatever a part cannot judge on
/// its own sends the whole commit through <see cref="SpecValidator.Validate(IEnumerable{SourceFile}, LoaderLimits?, Func{SpecSet, IEnumerable{Diagnostic}}?)"/>
/// instead, so that it is reported exactly as a whole validation reports it: any error (an invalid commit is reported
/// whole, which also covers an experiment of a model in another part), a name defined in two parts, a model or
/// experiment outside <c>models/</c>, any other kind inside it, or a finding on a document outside <c>models/</c> that
/// is not the same for every part (such as one naming the models it concerns).
/// </remarks>
public sealed record ValidationChunks(Func<string, bool> KeepsModel)
{
    /// <summary>Model folders loaded and checked together; a commit with no more than this is validated whole.</summary>
    public int FoldersPerChunk { get; init; } = 256;

    /// <summary>The result, or null when the commit must be validated whole (see the remarks of the type).</summary>
    internal LoadResult? TryValidate(List<SourceFile> files, LoaderLimits limits, Func<SpecSet, IEnumerable<Diagnostic>>? alongside)
    {
        var (context, folders) = Split(files);
        if (folders.Count <= FoldersPerChunk || files.Count > limits.MaxFiles)
        {
            return null;
        }
        var common = SpecLoader.Load(context, limits);
        if (common.HasErrors || !common.Specs.Models.IsEmpty || !common.Specs.Experiments.IsEmpty)
        {
            return null;
        }
        // The organisation policies are all known: each part's documents get their views at load, as a whole load does.
        var partLimits = limits.PolicyViews is { } viewsFor
            ? SpecLoader.WithViews(limits with { PolicyViews = null }, common.Specs.Policies, viewsFor)
            : limits;
        var diagnostics = new List<Diagnostic>(common.Diagnostics);
        var kept = new List<SpecObject>(common.Specs.All);
        var models = new HashSet<string>(StringComparer.Ordinal);
        var experiments = new HashSet<string>(StringComparer.Ordinal);
        HashSet<Diagnostic>? outside = null;
        for (var start = 0; start < folders.Count; start += FoldersPerChunk)
        {
            var part = folders.Skip(start).Take(FoldersPerChunk).SelectMany(f => f).ToList();
            var load = SpecLoader.Load(part, partLimits);
            var specs = load.Specs;
            if (load.HasErrors
                || specs.Environments.Length + specs.QualityGates.Length + specs.RolloutPolicies.Length + specs.Policies.Length > 0
                || !specs.Models.All(m => models.Add(m.Name)) || !specs.Experiments.All(x => experiments.Add(x.Name)))
            {
                return null;
            }
            var found = SpecValidator.Check(common.Specs with { Models = specs.Models, Experiments = specs.Experiments }, alongside);
            if (found.Any(d => d.IsError))
            {
                return null;
            }
            var paths = part.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            var elsewhere = found.Where(d => !paths.Contains(d.Span.File)).ToHashSet();
            if (outside is null)
            {
                outside = elsewhere;
            }
            else if (!outside.SetEquals(elsewhere))
            {
                return null;
            }
            diagnostics.AddRange(load.Diagnostics);
            diagnostics.AddRange(found.Where(d => paths.Contains(d.Span.File)));
            kept.AddRange(specs.Models.Where(m => KeepsModel(m.Name)));
            kept.AddRange(specs.Experiments.Where(x => KeepsModel(x.Spec.Model)));
        }
        diagnostics.AddRange(outside!);
        return new LoadResult(SpecSet.From(kept), DiagnosticOrder.Sort(diagnostics));
    }

    /// <summary>The files outside <c>models/</c>, and those inside it by model folder (a file right under
    /// <c>models/</c> is a folder of its own), in path order.</summary>
    private static (List<SourceFile> Context, List<List<SourceFile>> Folders) Split(List<SourceFile> files)
    {
        var context = new List<SourceFile>();
        var folders = new List<List<SourceFile>>();
        string? current = null;
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            if (!file.Path.StartsWith("models/", StringComparison.Ordinal))
            {
                context.Add(file);
                continue;
            }
            var slash = file.Path.IndexOf('/', "models/".Length);
            var folder = slash < 0 ? file.Path : file.Path[..slash];
            if (folder != current)
            {
                folders.Add([]);
                current = folder;
            }
            folders[^1].Add(file);
        }
        return (context, folders);
    }
}
