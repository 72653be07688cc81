using System.Text.Unicode;
using GitOps.Specs.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GitOps.Specs.Yaml;

/// <summary>
/// Turns the bytes of one file into YAML documents with spans, enforcing <see cref="LoaderLimits"/>. Reads the
/// parser's event stream with an explicit stack (no recursion), so deep or aliased input cannot exhaust the
/// stack or memory. Never throws: every problem becomes a diagnostic.
/// </summary>
internal static class YamlReader
{
    private const string StrTag = "tag:yaml.org,2002:str";

    public static List<YDocument> Read(SourceFile file, LoaderLimits limits, List<Diagnostic> diagnostics) =>
        Read(file, limits, diagnostics, common: true);

    /// <summary>
    /// With <paramref name="common"/>, files of the common shape are parsed by <see cref="CommonYamlParser"/>; every
    /// other file, and every file without it, by YamlDotNet.
    /// </summary>
    internal static List<YDocument> Read(SourceFile file, LoaderLimits limits, List<Diagnostic> diagnostics, bool common)
    {
        if (Check(file, limits, diagnostics) is not { } start)
        {
            return [];
        }
        // The common shape is parsed from the bytes; only a file the general path reads is decoded whole.
        if (common && CommonYamlParser.TryParse(file.Path, file.Content, start, limits) is { } parsed)
        {
            return parsed;
        }
        var text = System.Text.Encoding.UTF8.GetString(file.Content.AsSpan(start));
        return ReadWithYamlDotNet(file, text, limits, diagnostics);
    }

    // Kept out of Read so that compiling Read does not load YamlDotNet: a repository of common-shape files never needs it.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<YDocument> ReadWithYamlDotNet(SourceFile file, string text, LoaderLimits limits, List<Diagnostic> diagnostics)
    {
        var documents = new List<YDocument>();
        var reader = new DocumentBuilder(file.Path, limits, diagnostics, documents);
        try
        {
            reader.Run(new Parser(new StringReader(text)));
        }
        catch (YamlException ex)
        {
            ReportSyntax(file.Path, text, (int)ex.Start.Line, (int)ex.Start.Column, Clean(ex.Message), diagnostics);
        }
        // On some malformed input the parser fails with other exception types (InvalidOperationException from the
        // scanner, for one); none of them may escape the loader.
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            ReportSyntax(file.Path, text, reader.LastLine, reader.LastColumn, "malformed YAML after this point", diagnostics);
        }
        return documents;
    }

    /// <summary>Where the text of a readable, valid UTF-8 file starts (past a byte order mark); null, with the problem
    /// reported, for any other file.</summary>
    private static int? Check(SourceFile file, LoaderLimits limits, List<Diagnostic> diagnostics)
    {
        if (file.Unreadable is { } why)
        {
            diagnostics.Add(Error(DiagnosticIds.LinkNotFollowed, SourceSpan.StartOf(file.Path), why,
                "replace the link with the file or folder it stands for, or point it at one inside the repository"));
            return null;
        }
        var bytes = file.Content;
        if (bytes.Length > limits.MaxFileBytes)
        {
            diagnostics.Add(Error(DiagnosticIds.FileTooLarge, SourceSpan.StartOf(file.Path),
                $"file is larger than the limit of {limits.MaxFileBytes} bytes",
                "split it into several files or remove generated content"));
            return null;
        }
        var nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            diagnostics.Add(Error(DiagnosticIds.BinaryFile, At(file.Path, bytes, nul),
                "file contains a NUL byte: it looks binary, not a YAML text file",
                "keep only UTF-8 YAML text under environments/, models/ and policies/"));
            return null;
        }
        var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var content = bytes.AsSpan(start);
        if (Utf8.IsValid(content))
        {
            return start;
        }
        var chars = new char[content.Length];
        Utf8.ToUtf16(content, chars, out var read, out _, replaceInvalidSequences: false);
        var offset = read + start;
        diagnostics.Add(Error(DiagnosticIds.NotUtf8, At(file.Path, bytes, offset),
            $"file is not valid UTF-8 (invalid byte 0x{bytes[Math.Min(offset, bytes.Length - 1)]:X2})",
            "save the file as UTF-8"));
        return null;
    }

    /// <summary>Line and column (1-based, in characters) of a byte offset.</summary>
    private static SourceSpan At(string path, byte[] bytes, int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        var column = 1;
        for (var i = lineStart; i < offset && i < bytes.Length; i++)
        {
            // Count characters, not bytes: skip UTF-8 continuation bytes.
            if ((bytes[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }
        return new SourceSpan(path, line, column, line, column + 1);
    }

    private static void ReportSyntax(string path, string text, int line, int column, string message, List<Diagnostic> diagnostics)
    {
        // YAML forbids tabs in indentation; the parser reports them late and at odd places, so point at the tab.
        var tab = FirstTabIndentation(text);
        if (tab is { } t)
        {
            diagnostics.Add(Error(DiagnosticIds.TabIndentation, new SourceSpan(path, t.Line, t.Column, t.Line, t.Column + 1),
                "tab character in indentation", "indent YAML with spaces only"));
            return;
        }
        line = Math.Max(1, line);
        column = Math.Max(1, column);
        diagnostics.Add(Error(DiagnosticIds.YamlSyntax, new SourceSpan(path, line, column, line, column + 1),
            $"YAML syntax error: {message}", null));
    }

    private static (int Line, int Column)? FirstTabIndentation(string text)
    {
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var column = 1;
            var sawTab = 0;
            while (i < text.Length && text[i] is ' ' or '\t')
            {
                if (text[i] == '\t' && sawTab == 0)
                {
                    sawTab = column;
                }
                i++;
                column++;
            }
            if (sawTab > 0 && i < text.Length && text[i] is not '\n' and not '\r' and not '#')
            {
                return (line, sawTab);
            }
            while (i < text.Length && text[i] != '\n')
            {
                i++;
            }
            i++;
            line++;
        }
        return null;
    }

    private static string Clean(string message)
    {
        var m = message.Trim();
        // YamlDotNet prefixes "(Line: 1, Col: 2, Idx: 3) - (Line: ...): "; the span already says where.
        if (m.StartsWith("(Line:", StringComparison.Ordinal))
        {
            var colon = m.IndexOf("): ", StringComparison.Ordinal);
            if (colon >= 0)
            {
                m = m[(colon + 3)..];
            }
        }
        return m.TrimEnd('.');
    }

    private static Diagnostic Error(string id, SourceSpan span, string message, string? hint) =>
        new(id, Severity.Error, span, message, hint);

    private static SourceSpan Span(string path, ParsingEvent e) => Span(path, e.Start, e.End);

    private static SourceSpan Span(string path, Mark start, Mark end) =>
        new(path, (int)start.Line, (int)start.Column, (int)end.Line, (int)end.Column);

    /// <summary>Builds documents from parser events with an explicit stack.</summary>
    private sealed class DocumentBuilder(string path, LoaderLimits limits, List<Diagnostic> diagnostics, List<YDocument> documents)
    {
        private sealed class Frame(YNode node, string? anchor, Mark start)
        {
            public YNode Node { get; } = node;
            public string? Anchor { get; } = anchor;
            public Mark Start { get; } = start;
            public YScalar? PendingKey { get; set; }
            public bool DropValue { get; set; }
            public Dictionary<string, YScalar>? Keys { get; set; }
        }

        private readonly Stack<Frame> _stack = new();
        private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);
        // A file of nothing but repeated keys should not yield a diagnostic per line.
        private const int MaxDuplicateReports = 100;

        private long _nodes;
        private int _duplicates;
        private bool _failed;
        private YNode? _root;

        public int LastLine { get; private set; } = 1;
        public int LastColumn { get; private set; } = 1;

        public void Run(IParser parser)
        {
            SourceSpan documentSpan = SourceSpan.StartOf(path);
            while (parser.MoveNext())
            {
                var e = parser.Current!;
                LastLine = (int)e.Start.Line;
                LastColumn = (int)e.Start.Column;
                switch (e)
                {
                    case DocumentStart ds:
                        if (documents.Count >= limits.MaxDocumentsPerFile)
                        {
                            diagnostics.Add(Error(DiagnosticIds.TooManyDocuments, Span(path, ds),
                                $"file has more than {limits.MaxDocumentsPerFile} YAML documents", "split it into several files"));
                            return;
                        }
                        documentSpan = Span(path, ds);
                        _anchors.Clear();
                        _nodes = 0;
                        _failed = false;
                        _root = null;
                        break;
                    case DocumentEnd:
                        if (_root is not null)
                        {
                            documents.Add(new YDocument(documents.Count, documentSpan, _root, _failed));
                        }
                        break;
                    case Scalar s:
                        if (!Count(1, s))
                        {
                            return;
                        }
                        var scalar = new YScalar(Span(path, s), s.Value, ResolveScalar(s), s.Style == ScalarStyle.Plain && s.Tag.IsEmpty);
                        Register(s.Anchor, scalar);
                        if (!Add(scalar))
                        {
                            return;
                        }
                        break;
                    case AnchorAlias a:
                        if (!_anchors.TryGetValue(a.Value.Value, out var target))
                        {
                            diagnostics.Add(Error(DiagnosticIds.UndefinedAlias, Span(path, a),
                                $"alias '*{a.Value.Value}' refers to no complete anchor before it",
                                "define '&" + a.Value.Value + "' earlier in the same document, outside the node that uses it"));
                            return;
                        }
                        if (!Count(target.ExpandedSize, a))
                        {
                            return;
                        }
                        // An alias nests a whole copy of its anchor here: bound the expanded depth too, or walking
                        // the expansion could exhaust the stack.
                        if (_stack.Count + target.ExpandedHeight > limits.MaxDepth)
                        {
                            diagnostics.Add(Error(DiagnosticIds.TooDeep, Span(path, a),
                                $"nesting is deeper than {limits.MaxDepth} levels once alias '*{a.Value.Value}' is expanded",
                                "flatten the document; specs nest only a few levels"));
                            return;
                        }
                        var alias = new YAlias(Span(path, a), target);
                        if (!Add(alias))
                        {
                            return;
                        }
                        break;
                    case SequenceStart ss:
                        CheckContainerTag(ss.Tag, "tag:yaml.org,2002:seq", ss);
                        if (!Push(new YSequence(Span(path, ss)), ss.Anchor, ss))
                        {
                            return;
                        }
                        break;
                    case MappingStart ms:
                        CheckContainerTag(ms.Tag, "tag:yaml.org,2002:map", ms);
                        if (!Push(new YMapping(Span(path, ms)), ms.Anchor, ms))
                        {
                            return;
                        }
                        break;
                    case SequenceEnd or MappingEnd:
                        if (!Pop(e))
                        {
                            return;
                        }
                        break;
                }
            }
        }

        private bool Count(long n, ParsingEvent at)
        {
            _nodes += n;
            if (_nodes > limits.MaxNodesPerDocument)
            {
                diagnostics.Add(Error(DiagnosticIds.TooManyNodes, Span(path, at),
                    $"document expands to more than {limits.MaxNodesPerDocument} nodes (aliases count as full copies)",
                    "remove nested anchors and aliases; a spec document never needs this many nodes"));
                return false;
            }
            return true;
        }

        private bool Push(YNode node, AnchorName anchor, ParsingEvent e)
        {
            if (!Count(1, e))
            {
                return false;
            }
            if (_stack.Count >= limits.MaxDepth)
            {
                diagnostics.Add(Error(DiagnosticIds.TooDeep, Span(path, e),
                    $"nesting is deeper than {limits.MaxDepth} levels", "flatten the document; specs nest only a few levels"));
                return false;
            }
            _stack.Push(new Frame(node, anchor.IsEmpty ? null : anchor.Value, e.Start));
            return true;
        }

        private bool Pop(ParsingEvent end)
        {
            var frame = _stack.Pop();
            var done = frame.Node;
            // The start event only marks where the collection begins; widen the span to its end.
            done.Place = Span(path, frame.Start, end.Start);
            done.MeasureExpansion();
            if (frame.Anchor is not null)
            {
                _anchors[frame.Anchor] = done;
            }
            return Add(done);
        }

        private void Register(AnchorName anchor, YNode node)
        {
            if (!anchor.IsEmpty)
            {
                _anchors[anchor.Value] = node;
            }
        }

        private bool Add(YNode node)
        {
            if (_stack.Count == 0)
            {
                _root = node;
                return true;
            }
            var parent = _stack.Peek();
            if (parent.Node is YSequence seq)
            {
                seq.Items.Add(node);
                return true;
            }
            var map = (YMapping)parent.Node;
            if (parent.PendingKey is null)
            {
                if (node is not YScalar key)
                {
                    diagnostics.Add(Error(DiagnosticIds.NonScalarKey, node.Span,
                        "mapping keys must be plain scalars, not lists, mappings or aliases", "use a plain name as the key"));
                    return false;
                }
                parent.PendingKey = key;
                parent.Keys ??= new Dictionary<string, YScalar>(StringComparer.Ordinal);
                parent.DropValue = !parent.Keys.TryAdd(key.Text, key);
                if (parent.DropValue)
                {
                    if (++_duplicates > MaxDuplicateReports)
                    {
                        diagnostics.Add(Error(DiagnosticIds.DuplicateKey, key.Span,
                            $"more than {MaxDuplicateReports} duplicate keys; the rest of the file was not read", "remove the repeated keys"));
                        return false;
                    }
                    var first = parent.Keys[key.Text].Span;
                    diagnostics.Add(Error(DiagnosticIds.DuplicateKey, key.Span,
                        $"duplicate key '{key.Text}' (first defined at {first.Line}:{first.Column})", "remove one of them"));
                    _failed = true;
                }
                return true;
            }
            if (!parent.DropValue)
            {
                map.Entries.Add(new YEntry(parent.PendingKey, node));
            }
            parent.PendingKey = null;
            parent.DropValue = false;
            return true;
        }

        private object? ResolveScalar(Scalar s)
        {
            if (s.Tag.IsEmpty)
            {
                // Empty nodes (a key without a value, an empty document) come with style Any.
                return s.Style is ScalarStyle.Plain or ScalarStyle.Any ? CoreSchema.Resolve(s.Value) : s.Value;
            }
            if (s.Tag.IsNonSpecific || s.Tag.Value == StrTag)
            {
                return s.Value;
            }
            var resolved = CoreSchema.Resolve(s.Value);
            var ok = s.Tag.Value switch
            {
                "tag:yaml.org,2002:int" => resolved is long,
                "tag:yaml.org,2002:float" => resolved is double or long,
                "tag:yaml.org,2002:bool" => resolved is bool,
                "tag:yaml.org,2002:null" => resolved is null,
                _ => false,
            };
            if (!ok)
            {
                diagnostics.Add(Error(DiagnosticIds.UnsupportedTag, Span(path, s),
                    $"tag '{s.Tag.Value}' is not supported on '{Truncate(s.Value)}'",
                    "only the core tags !!str, !!int, !!float, !!bool and !!null are understood; remove the tag"));
                _failed = true;
                return s.Value;
            }
            return resolved is long l && s.Tag.Value == "tag:yaml.org,2002:float" ? (double)l : resolved;
        }

        private void CheckContainerTag(TagName tag, string expected, ParsingEvent e)
        {
            if (!tag.IsEmpty && !tag.IsNonSpecific && tag.Value != expected)
            {
                diagnostics.Add(Error(DiagnosticIds.UnsupportedTag, Span(path, e),
                    $"tag '{tag.Value}' is not supported here", "remove the tag"));
                _failed = true;
            }
        }

        private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
    }
}
