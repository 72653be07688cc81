using System.Collections.Immutable;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Loading;
using GitOps.Specs.Model;
using GitOps.Specs.Schemas;
using GitOps.Specs.Yaml;

namespace GitOps.Specs;

/// <summary>
/// Loads spec documents from file contents: YAML (1.2 core schema, bounded by <see cref="LoaderLimits"/>) →
/// document header → JSON Schema of the kind → typed records with the span of every key and value. Pure and
/// total: it never throws on any input and reports every problem as a <see cref="Diagnostic"/>. A document with
/// errors is not part of the resulting <see cref="SpecSet"/>.
/// </summary>
public static class SpecLoader
{
    public static LoadResult Load(IEnumerable<SourceFile> files, LoaderLimits? limits = null)
    {
        limits ??= LoaderLimits.Default;
        var diagnostics = new List<Diagnostic>();
        // Sorted by path so that the result does not depend on the order files were listed in; a file's content not
        // held before is read here, one file after another.
        var list = files.Select(f => f.Loaded()).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        // Files a spec may be misnamed in are only looked at, and do not count towards the limit of spec files.
        foreach (var file in list.Where(f => f.Unreadable is null && MisnamedSpecs.MayBeOne(f.Path)))
        {
            if (MisnamedSpecs.Check(file) is { } notRead)
            {
                diagnostics.Add(notRead);
            }
        }
        list.RemoveAll(f => f.Unreadable is null && MisnamedSpecs.MayBeOne(f.Path));
        if (list.Count > limits.MaxFiles)
        {
            var first = list[limits.MaxFiles];
            diagnostics.Add(Error(DiagnosticIds.TooManyFiles, SourceSpan.StartOf(first.Path),
                $"more than {limits.MaxFiles} spec files; this file and the ones after it were not loaded",
                "split the repository or raise the limit"));
            list.RemoveRange(limits.MaxFiles, list.Count - limits.MaxFiles);
        }
        var loaded = limits.PolicyViews is { } viewsFor && list.Count >= ParallelThreshold
            ? LoadPoliciesFirst(list, limits, viewsFor)
            : LoadFiles(list, limits);
        var objects = new List<SpecObject>();
        foreach (var (fileObjects, fileDiagnostics) in loaded)
        {
            objects.AddRange(fileObjects);
            diagnostics.AddRange(fileDiagnostics);
        }
        return new LoadResult(SpecSet.From(objects), DiagnosticOrder.Sort(diagnostics));
    }

    private const int ParallelThreshold = 64;

    /// <summary>Files are independent: loaded in parallel, in file order so that the result is deterministic.</summary>
    private static List<(List<SpecObject> Objects, List<Diagnostic> Diagnostics)> LoadFiles(List<SourceFile> files, LoaderLimits limits) =>
        files.Count < ParallelThreshold
            ? files.Select(f => LoadFile(f, limits)).ToList()
            : files.AsParallel().AsOrdered().Select(f => LoadFile(f, limits)).ToList();

    /// <summary>
    /// The files that may hold a Policy (their text has the word), then every other file with each document's view
    /// along the fields those policies read (<see cref="LoaderLimits.PolicyViews"/>), merged back in file order. A
    /// Policy the first look missed (its kind written with escapes) only means that the views built do not match the
    /// fields the policies read in the end, and are not used.
    /// </summary>
    private static List<(List<SpecObject> Objects, List<Diagnostic> Diagnostics)> LoadPoliciesFirst(List<SourceFile> files, LoaderLimits limits,
        Func<IReadOnlyList<PolicySpec>, FieldPaths?> viewsFor)
    {
        var first = files.Select(f => f.Unreadable is null && NamesPolicy(f.Content)).ToArray();
        var policyFiles = LoadFiles([.. files.Where((_, i) => first[i])], limits);
        var policies = policyFiles.SelectMany(f => f.Objects).OfType<PolicySpec>().ToList();
        var others = LoadFiles([.. files.Where((_, i) => !first[i])], WithViews(limits, policies, viewsFor));
        var merged = new List<(List<SpecObject>, List<Diagnostic>)>(files.Count);
        int p = 0, o = 0;
        foreach (var isFirst in first)
        {
            merged.Add(isFirst ? policyFiles[p++] : others[o++]);
        }
        return merged;
    }

    /// <summary><paramref name="limits"/> with each document's view built at load along the fields
    /// <paramref name="policies"/> read (<see cref="LoaderLimits.PolicyViews"/>); unchanged when they read none.</summary>
    internal static LoaderLimits WithViews(LoaderLimits limits, IReadOnlyList<PolicySpec> policies, Func<IReadOnlyList<PolicySpec>, FieldPaths?> viewsFor)
    {
        var along = policies.Count > 0 ? viewsFor(policies) : null;
        if (along is null)
        {
            return limits;
        }
        // Only the kinds the policies match are read by them: a view of any other would be held as long as the specs.
        var kinds = policies.Any(p => p.Spec.Match is null || p.Spec.Match.Kinds.IsDefaultOrEmpty)
            ? null
            : policies.SelectMany(p => p.Spec.Match.Kinds).ToHashSet(StringComparer.Ordinal);
        return limits with { ViewsAlong = along, ViewKinds = kinds };
    }

    private static ReadOnlySpan<byte> PolicyKindName => "Policy"u8;

    /// <summary>Whether the text has the word <c>Policy</c> on its own (not part of <c>RolloutPolicy</c> or
    /// <c>networkPolicy</c>), as a document of that kind has it.</summary>
    private static bool NamesPolicy(ReadOnlySpan<byte> text)
    {
        var offset = 0;
        while (text[offset..].IndexOf(PolicyKindName) is var at and >= 0)
        {
            var start = offset + at;
            var end = start + PolicyKindName.Length;
            if ((start == 0 || !IsWordByte(text[start - 1])) && (end == text.Length || !IsWordByte(text[end])))
            {
                return true;
            }
            offset = end;
        }
        return false;
    }

    private static bool IsWordByte(byte b) => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' || b is (byte)'-';

    private static (List<SpecObject> Objects, List<Diagnostic> Diagnostics) LoadFile(SourceFile file, LoaderLimits limits)
    {
        var diagnostics = new List<Diagnostic>();
        var objects = new List<SpecObject>();
        foreach (var document in YamlReader.Read(file, limits, diagnostics))
        {
            if (LoadDocument(file, limits, document, diagnostics) is { } spec)
            {
                objects.Add(spec);
            }
        }
        return (objects, diagnostics);
    }

    private static SpecObject? LoadDocument(SourceFile file, LoaderLimits limits, YDocument document, List<Diagnostic> diagnostics)
    {
        var path = file.Path;
        var root = document.Root.Resolved;
        if (root is YScalar { Value: null })
        {
            return null;
        }
        if (root is not YMapping map)
        {
            diagnostics.Add(Error(DiagnosticIds.DocumentNotMapping, document.Root.Span,
                "a spec document must be a mapping with apiVersion, kind, metadata and spec",
                "start the document with 'apiVersion: " + SpecKinds.ApiVersion + "'"));
            return null;
        }
        var kind = Header(map, diagnostics);
        if (kind is null)
        {
            return null;
        }
        // Valid documents pass the fast check and need no JSON view; any other goes through the full validator,
        // which reports its errors.
        SpecOrigin origin;
        if (SchemaFastPath.IsValid(kind, map))
        {
            if (document.Failed)
            {
                return null;
            }
            var tree = new DocumentTree(file, document.Index, limits, map);
            origin = new SpecOrigin(path, document.Index, document.Span, () => DocumentWalker.Spans(tree.Map), () => DocumentWalker.Raw(tree.Map), paths => DocumentWalker.Raw(tree.Map, paths), tree.Release);
            if (limits.ViewsAlong is { } along && kind != SpecKinds.Environment && limits.ViewKinds?.Contains(kind) != false)
            {
                // Policies read an environment whole; every other kind they match along the fields they read.
                origin.KeepView(along, DocumentWalker.Raw(map, along));
            }
            if (!limits.KeepTrees)
            {
                // Bound below from the map in hand; from here on the tree is parsed again only when read.
                tree.Release();
            }
        }
        else
        {
            var walked = DocumentWalker.Walk(map, json: true);
            var schemaErrors = SchemaValidation.Validate(kind, walked.Json!, document.Span);
            diagnostics.AddRange(schemaErrors);
            if (schemaErrors.Count > 0 || document.Failed)
            {
                return null;
            }
            origin = new SpecOrigin(path, document.Index, document.Span, walked.KeySpans, walked.ValueSpans, walked.Raw);
        }
        var metadata = SpecBinder.Metadata(map.Get("metadata") as YMapping);
        return SpecBinder.Bind(kind, metadata, origin, map.Get("spec") as YMapping);
    }

    /// <summary>Checks apiVersion, kind and metadata.name; returns the kind when the document can be checked further.</summary>
    private static string? Header(YMapping map, List<Diagnostic> diagnostics)
    {
        var start = new SourceSpan(map.Span.File, map.Span.Line, map.Span.Column, map.Span.Line, map.Span.Column + 1);
        var ok = true;
        if (map.Find("apiVersion") is not { } apiVersion)
        {
            diagnostics.Add(Error(DiagnosticIds.MissingApiVersion, start, "document has no apiVersion",
                $"add 'apiVersion: {SpecKinds.ApiVersion}'"));
            ok = false;
        }
        else if (Text(apiVersion.Value) != SpecKinds.ApiVersion)
        {
            diagnostics.Add(Error(DiagnosticIds.UnknownApiVersion, apiVersion.Value.Span,
                $"unknown apiVersion {Quote(apiVersion.Value)}; known: '{SpecKinds.ApiVersion}'",
                $"use 'apiVersion: {SpecKinds.ApiVersion}'"));
            ok = false;
        }
        string? kind = null;
        if (map.Find("kind") is not { } kindEntry)
        {
            diagnostics.Add(Error(DiagnosticIds.MissingKind, start, "document has no kind",
                "add 'kind:' with one of " + Suggestions.List(SpecKinds.All)));
            ok = false;
        }
        else
        {
            var text = Text(kindEntry.Value);
            if (text is not null && SpecKinds.All.Contains(text))
            {
                kind = text;
            }
            else
            {
                diagnostics.Add(Error(DiagnosticIds.UnknownKind, kindEntry.Value.Span,
                    $"unknown kind {Quote(kindEntry.Value)}; known kinds: {string.Join(", ", SpecKinds.All)}",
                    text is null ? null : Suggestions.DidYouMean(text, SpecKinds.All)));
                ok = false;
            }
        }
        var metadata = map.Find("metadata");
        var name = (metadata?.Value.Resolved as YMapping)?.Find("name");
        if (name is not { } nameEntry || nameEntry.Value.Resolved is YScalar { Value: null })
        {
            var span = name?.Key.Span ?? metadata?.Key.Span ?? start;
            diagnostics.Add(Error(DiagnosticIds.MissingName, span, "document has no metadata.name",
                "add 'metadata: {name: <lowercase-name>}'"));
            ok = false;
        }
        return ok ? kind : null;
    }

    private static string? Text(YNode node) => node.Resolved is YScalar { Value: string s } ? s : null;

    private static string Quote(YNode node) => node.Resolved switch
    {
        YScalar { Value: null } => "(empty)",
        YScalar s => $"'{(s.Text.Length <= 60 ? s.Text : s.Text[..60] + "...")}'",
        YMapping => "(a mapping)",
        _ => "(a list)",
    };

    private static Diagnostic Error(string id, SourceSpan span, string message, string? hint) =>
        new(id, Severity.Error, span, message, hint);
}
