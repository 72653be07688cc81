using GitOps.Specs.Model;

namespace GitOps.Specs;

/// <summary>
/// Bounds that keep hostile or broken input from exhausting memory or time. Exceeding one is reported as a
/// diagnostic for the file (documented in <c>docs/specs.md</c>); the loader never throws.
/// </summary>
public sealed record LoaderLimits
{
    public static readonly LoaderLimits Default = new();

    /// <summary>Largest file read, in bytes (GITOPS0005).</summary>
    public int MaxFileBytes { get; init; } = 1024 * 1024;

    /// <summary>Most YAML documents in one file (GITOPS0006).</summary>
    public int MaxDocumentsPerFile { get; init; } = 1000;

    /// <summary>Most nodes in one document, counting every alias as a full copy of its anchor (GITOPS0007).</summary>
    public int MaxNodesPerDocument { get; init; } = 100_000;

    /// <summary>Deepest nesting of mappings and sequences (GITOPS0008).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Most spec files read from a repository; the rest are reported, not read.</summary>
    public int MaxFiles { get; init; } = 100_000;

    /// <summary>Keep each loaded document's parsed tree until <see cref="Model.SpecSet.ReleaseParseTrees"/>, so that
    /// checks that read a document's spans or plain data find it parsed. Off by default: each tree goes as soon as
    /// its document is bound, so a whole repository's trees are never held at once, and a check that reads one (a
    /// finding's span, an organisation policy's <c>object</c>, once per document) parses that document's bytes again.
    /// Same diagnostics either way; at 2,000 models the trees were most of what validation held, and on a machine
    /// where touching fresh memory is dear, most of its time (docs/benchmarks.md, "Trees let go as documents are
    /// bound").</summary>
    public bool KeepTrees { get; init; }

    /// <summary>
    /// The fields of a document that the organisation policies among the given ones read through <c>object</c>
    /// (<see cref="Model.SpecOrigin.RawAlong"/>), or null for the whole document; set by the layer that evaluates
    /// policies. When set, files that may hold a Policy are loaded first, and every other document's view along those
    /// fields is built while its tree is in hand, instead of its file being parsed again when the policies read it.
    /// Same diagnostics either way.
    /// </summary>
    public Func<IReadOnlyList<PolicySpec>, FieldPaths?>? PolicyViews { get; init; }

    /// <summary>The fields each document's view is built along at load (see <see cref="PolicyViews"/>).</summary>
    internal FieldPaths? ViewsAlong { get; init; }

    /// <summary>The kinds the policies match, whose documents get a view at load; null for every kind.</summary>
    internal IReadOnlySet<string>? ViewKinds { get; init; }
}
