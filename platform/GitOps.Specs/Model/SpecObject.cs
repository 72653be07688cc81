using System.Collections.Immutable;
using GitOps.Specs.Diagnostics;

namespace GitOps.Specs.Model;

/// <summary>The kinds this version of GitOps ML understands.</summary>
public static class SpecKinds
{
    public const string ApiVersion = "ml.gitops/v1alpha1";
    public const string Environment = "Environment";
    public const string Model = "Model";
    public const string Experiment = "Experiment";
    public const string QualityGate = "QualityGate";
    public const string RolloutPolicy = "RolloutPolicy";
    public const string Policy = "Policy";

    public static readonly ImmutableArray<string> All =
        [Environment, Model, Experiment, QualityGate, RolloutPolicy, Policy];
}

/// <summary><c>metadata</c> of every spec document.</summary>
public sealed record Metadata(
    string Name,
    ImmutableSortedDictionary<string, string> Labels,
    ImmutableSortedDictionary<string, string> Annotations)
{
    public static Metadata Named(string name) =>
        new(name, ImmutableSortedDictionary<string, string>.Empty, ImmutableSortedDictionary<string, string>.Empty);
}

/// <summary>
/// Where a spec document came from: its file, index in a multi-document file, and the span of every node by
/// path (<c>spec.training.resources.gpus</c>, <c>spec.gates[1]</c>). Used to point diagnostics at the exact key or value.
/// </summary>
public sealed class SpecOrigin
{
    // Span maps are built on first use: most documents are never pointed into, and building a path for every node of
    // every document was a large part of loading.
    private readonly Lazy<(IReadOnlyDictionary<string, SourceSpan> Keys, IReadOnlyDictionary<string, SourceSpan> Values)> _spans;

    public SpecOrigin(
        string file,
        int documentIndex,
        SourceSpan documentSpan,
        IReadOnlyDictionary<string, SourceSpan> keySpans,
        IReadOnlyDictionary<string, SourceSpan> valueSpans,
        IReadOnlyDictionary<string, object?>? raw = null)
        : this(file, documentIndex, documentSpan, new Lazy<(IReadOnlyDictionary<string, SourceSpan>, IReadOnlyDictionary<string, SourceSpan>)>((keySpans, valueSpans)), () => raw ?? Empty)
    {
    }

    /// <summary>An origin whose span maps <paramref name="spans"/> builds when a span is first asked for, and whose
    /// plain-data view <paramref name="raw"/> builds each time it is asked for: it is read once per check of the
    /// document (policies), and kept for every document of a large repository it would weigh tens of megabytes for as
    /// long as the specs are held (a reconciler holds them between passes).</summary>
    internal SpecOrigin(
        string file,
        int documentIndex,
        SourceSpan documentSpan,
        Func<(IReadOnlyDictionary<string, SourceSpan> Keys, IReadOnlyDictionary<string, SourceSpan> Values)> spans,
        Func<IReadOnlyDictionary<string, object?>> raw,
        Func<FieldPaths, IReadOnlyDictionary<string, object?>> rawAlong,
        Action release)
        : this(file, documentIndex, documentSpan, new Lazy<(IReadOnlyDictionary<string, SourceSpan>, IReadOnlyDictionary<string, SourceSpan>)>(spans), raw)
    {
        _rawAlong = rawAlong;
        _release = release;
    }

    private SpecOrigin(
        string file,
        int documentIndex,
        SourceSpan documentSpan,
        Lazy<(IReadOnlyDictionary<string, SourceSpan>, IReadOnlyDictionary<string, SourceSpan>)> spans,
        Func<IReadOnlyDictionary<string, object?>> raw)
    {
        File = file;
        DocumentIndex = documentIndex;
        DocumentSpan = documentSpan;
        _spans = spans;
        _raw = raw;
    }

    private static readonly IReadOnlyDictionary<string, object?> Empty = new Dictionary<string, object?>();
    private readonly Func<IReadOnlyDictionary<string, object?>> _raw;
    private readonly Func<FieldPaths, IReadOnlyDictionary<string, object?>>? _rawAlong;
    private readonly Action? _release;

    /// <summary>Lets go of the document's parsed tree, if it keeps one; spans and <see cref="Raw"/> then parse the
    /// file's bytes again when asked for.</summary>
    internal void ReleaseTree() => _release?.Invoke();

    public static readonly SpecOrigin None = new("<memory>", 0, SourceSpan.StartOf("<memory>"),
        new Dictionary<string, SourceSpan>(), new Dictionary<string, SourceSpan>());

    /// <summary>Creates an origin for a spec built in memory (tests, generators): every span points at <paramref name="file"/>.</summary>
    public static SpecOrigin InMemory(string file) => new(file, 0, SourceSpan.StartOf(file),
        new Dictionary<string, SourceSpan>(), new Dictionary<string, SourceSpan>());

    /// <summary>
    /// The whole document as plain data (<c>Dictionary&lt;string, object?&gt;</c>, <c>List&lt;object?&gt;</c>, string,
    /// long, double, bool, null) with YAML 1.2 core-schema scalars: the shape CEL policies see as <c>object</c>.
    /// Empty for specs built in memory. A document loaded from YAML builds it anew from its tree on each read: read it
    /// once and keep it for as long as it is used.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Raw => _raw();

    /// <summary>
    /// <see cref="Raw"/> with only what lies along <paramref name="paths"/> (and everything below each path's end),
    /// for a reader that reads nothing else: a document loaded from YAML builds no more than that. At least that much:
    /// other origins give the whole view.
    /// </summary>
    /// <remarks>A document loaded with <see cref="LoaderLimits.ViewsAlong"/> hands out the view built at load the
    /// first time it is asked for along the same fields, and lets go of it: policies read each document once.</remarks>
    public IReadOnlyDictionary<string, object?> RawAlong(FieldPaths paths)
    {
        if (_rawAlong is null || paths.Whole)
        {
            return _raw();
        }
        if (_view is { } view && view.Along.SameAs(paths) && Interlocked.CompareExchange(ref _view, null, view) == view)
        {
            return view.Raw;
        }
        return _rawAlong(paths);
    }

    /// <summary>Keeps <paramref name="raw"/>, the view along <paramref name="along"/> built while the tree was in hand,
    /// for the first <see cref="RawAlong"/> along the same fields.</summary>
    internal void KeepView(FieldPaths along, Dictionary<string, object?> raw) => _view = new BuiltView(along, raw);

    private sealed record BuiltView(FieldPaths Along, Dictionary<string, object?> Raw);

    private BuiltView? _view;

    public string File { get; }
    public int DocumentIndex { get; }
    public SourceSpan DocumentSpan { get; }

    /// <summary>Span of the key at <paramref name="path"/>, else the nearest ancestor's, else the document.</summary>
    public SourceSpan Key(string path) => Find(_spans.Value.Keys, path) ?? Find(_spans.Value.Values, path) ?? DocumentSpan;

    /// <summary>Span of the value at <paramref name="path"/>, else its key's, else the nearest ancestor's.</summary>
    public SourceSpan Value(string path) => Find(_spans.Value.Values, path) ?? Find(_spans.Value.Keys, path) ?? DocumentSpan;

    private static SourceSpan? Find(IReadOnlyDictionary<string, SourceSpan> spans, string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
        {
            if (spans.TryGetValue(p, out var s))
            {
                return s;
            }
        }
        return null;
    }

    private static string Parent(string path)
    {
        var i = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return i <= 0 ? "" : path[..i];
    }
}

/// <summary>Common shape of every spec document: <c>apiVersion</c>, <c>kind</c>, <c>metadata</c>, <c>spec</c>.</summary>
public abstract record SpecObject(Metadata Metadata, SpecOrigin Origin)
{
    public abstract string Kind { get; }
    public string Name => Metadata.Name;
}
