using System.Text;
using GitOps.Specs.Diagnostics;

namespace GitOps.Specs.Yaml;

/// <summary>
/// A direct parser for the shape nearly every spec file has: one implicit document of block mappings and sequences,
/// comments, one-line plain and quoted scalars and one-line flow collections. It builds the very nodes, with the very
/// spans, that <see cref="YamlReader"/>'s general path (YamlDotNet's event parser) builds, and answers
/// <see langword="null"/> for anything else — a tag, anchor, alias, block or multi-line scalar, document marker, tab,
/// carriage return, duplicate key, or any syntax error — so that the general path parses that file and reports its
/// diagnostics. Reading YamlDotNet's events was most of the loader's time (docs/architecture.md). It reads the file's
/// UTF-8 bytes as they are: only the scalars it keeps are decoded, not the whole text.
/// </summary>
internal sealed class CommonYamlParser
{
    // Recursion below is bounded by this depth, whatever the limits say; deeper documents go to the general path,
    // which keeps an explicit stack.
    private const int MaxRecursion = 64;

    // YamlDotNet does not take a simple key longer than this; leave such keys to it.
    private const int MaxKeyLength = 1000;

    private readonly string _path;
    private readonly byte[] _text;
    // Columns count characters: on a line with multi-byte characters they are counted, on an ASCII file never.
    private readonly bool _ascii;
    private readonly LoaderLimits _limits;
    private readonly int _maxDepth;
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private long _nodes;
    private int _depth;

    private CommonYamlParser(string path, byte[] text, int start, LoaderLimits limits)
    {
        _path = path;
        _text = text;
        _pos = start;
        _lineStart = start;
        _ascii = System.Text.Ascii.IsValid(text.AsSpan(start));
        _limits = limits;
        _maxDepth = Math.Min(limits.MaxDepth, MaxRecursion);
    }

    /// <summary>The documents of <paramref name="text"/>, or <see langword="null"/> when the general path must parse it.</summary>
    public static List<YDocument>? TryParse(string path, string text, LoaderLimits limits) =>
        text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') ? null : TryParse(path, Encoding.UTF8.GetBytes(text), 0, limits);

    /// <summary>The documents of the valid UTF-8 <paramref name="text"/> from <paramref name="start"/> (past a byte order
    /// mark), or <see langword="null"/> when the general path must parse it.</summary>
    public static List<YDocument>? TryParse(string path, byte[] text, int start, LoaderLimits limits)
    {
        // Where YamlDotNet ends collections after a last line without a line break varies; leave those files to it.
        if (text.Length <= start || text[^1] != (byte)'\n' || !OnlyCommonCharacters(text.AsSpan(start)))
        {
            return null;
        }
        var parser = new CommonYamlParser(path, text, start, limits);
        if (!parser.SkipToContent())
        {
            return [];
        }
        var first = parser.Mark();
        var root = parser.BlockCollection();
        if (root is null || parser._pos < parser._text.Length)
        {
            return null;
        }
        return [new YDocument(0, new SourceSpan(path, first.Line, first.Column, first.Line, first.Column), root, false)];
    }

    /// <summary>
    /// False for text with characters whose treatment differs between YAML versions or parsers (tabs, carriage returns,
    /// controls, Unicode line breaks, characters outside the basic plane), and for lines that start a directive or
    /// mark a document. The text is valid UTF-8.
    /// </summary>
    private static bool OnlyCommonCharacters(ReadOnlySpan<byte> text)
    {
        var lineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (lineStart && (c == '%' || (c is (byte)'-' or (byte)'.' && i + 2 < text.Length && text[i + 1] == c && text[i + 2] == c)))
            {
                return false;
            }
            lineStart = c == '\n';
            if (c < 0x80)
            {
                if (c < ' ' ? c != '\n' : c == 0x7F)
                {
                    return false;
                }
                continue;
            }
            // U+0080–U+009F (C2 80–9F), U+2028 and U+2029 (E2 80 A8–A9), U+FEFF (EF BB BF), U+FFFE and U+FFFF (EF BF BE–BF),
            // and the four-byte forms of characters outside the basic plane (surrogate pairs in a string).
            var next = i + 1 < text.Length ? text[i + 1] : (byte)0;
            var third = i + 2 < text.Length ? text[i + 2] : (byte)0;
            if ((c == 0xC2 && next <= 0x9F)
                || (c == 0xE2 && next == 0x80 && third is 0xA8 or 0xA9)
                || (c == 0xEF && ((next == 0xBB && third == 0xBF) || (next == 0xBF && third >= 0xBE)))
                || c >= 0xF0)
            {
                return false;
            }
        }
        return true;
    }

    private (int Line, int Column) Mark() => (_line, Column(_pos));

    /// <summary>The 1-based column, in characters, of the byte at <paramref name="at"/> on the current line.</summary>
    private int Column(int at)
    {
        var bytes = at - _lineStart;
        if (_ascii)
        {
            return bytes + 1;
        }
        // Every character but the first byte of a multi-byte one starts with a byte outside 0x80–0xBF.
        var continuation = 0;
        foreach (var b in _text.AsSpan(_lineStart, bytes))
        {
            if ((b & 0xC0) == 0x80)
            {
                continuation++;
            }
        }
        return bytes - continuation + 1;
    }

    private int Indent => _pos - _lineStart;

    /// <summary>The byte at <paramref name="offset"/> from the position as a character: ASCII is itself, and a byte of a
    /// multi-byte character is above U+007F, which no character compared against here is.</summary>
    private char At(int offset) => _pos + offset < _text.Length ? (char)_text[_pos + offset] : '\0';

    /// <summary>Moves past spaces, comments and line breaks to the next token; false at the end of the text.</summary>
    private bool SkipToContent()
    {
        while (_pos < _text.Length)
        {
            switch (At(0))
            {
                case ' ':
                    _pos++;
                    break;
                case '\n':
                    _pos++;
                    _line++;
                    _lineStart = _pos;
                    break;
                case '#':
                    while (_pos < _text.Length && _text[_pos] != '\n')
                    {
                        _pos++;
                    }
                    break;
                default:
                    return true;
            }
        }
        return false;
    }

    /// <summary>After a value on its line: only spaces and a comment may follow it.</summary>
    private bool RestOfLineIsBlank()
    {
        var spaces = 0;
        while (At(0) == ' ')
        {
            _pos++;
            spaces++;
        }
        if (At(0) == '#' && spaces > 0)
        {
            while (_pos < _text.Length && _text[_pos] != '\n')
            {
                _pos++;
            }
        }
        return _pos >= _text.Length || _text[_pos] == '\n';
    }

    private bool IsSequenceEntry() => At(0) == '-' && At(1) is ' ' or '\n' or '\0';

    private bool Enter()
    {
        if (_depth >= _maxDepth || !Count())
        {
            return false;
        }
        _depth++;
        return true;
    }

    private bool Count() => ++_nodes <= _limits.MaxNodesPerDocument;

    private YSpan Span((int Line, int Column) start, (int Line, int Column) end) =>
        new(_path, start.Line, start.Column, end.Line, end.Column);

    /// <summary>A block mapping or sequence starting at the current token.</summary>
    private YNode? BlockCollection() => IsSequenceEntry() ? BlockSequence(Indent) : BlockMapping(Indent);

    private YNode? BlockMapping(int indent)
    {
        var start = Mark();
        if (!Enter())
        {
            return null;
        }
        var map = new YMapping(Span(start, start));
        HashSet<string>? keys = null;
        while (true)
        {
            var key = Key();
            if (key is null)
            {
                return null;
            }
            if (!Unique(map, ref keys, key.Text))
            {
                return null;
            }
            var value = Value(indent, Mark(), inMapping: true);
            if (value is null)
            {
                return null;
            }
            map.Entries.Add(new YEntry(key, value));
            if (_pos >= _text.Length || Indent < indent)
            {
                break;
            }
            if (Indent > indent)
            {
                return null;
            }
        }
        return Close(map, start);
    }

    private static bool Unique(YMapping map, ref HashSet<string>? keys, string key)
    {
        // Small mappings are searched; large ones get a set.
        if (keys is null && map.Entries.Count < 16)
        {
            return map.Find(key) is null;
        }
        if (keys is null)
        {
            keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in map.Entries)
            {
                keys.Add(entry.Key.Text);
            }
        }
        return keys.Add(key);
    }

    private YNode? BlockSequence(int indent)
    {
        var start = Mark();
        if (!Enter())
        {
            return null;
        }
        var sequence = new YSequence(Span(start, start));
        while (true)
        {
            _pos++;
            var afterDash = Mark();
            SkipSpaces();
            YNode? item;
            if (At(0) is '\n' or '\0' or '#')
            {
                // '-' is followed by a space or a line break, so '#' here starts a comment.
                _pos = afterDash.Column - 1 + _lineStart;
                item = Value(indent, afterDash, inMapping: false);
            }
            else if (IsSequenceEntry())
            {
                return null;
            }
            else if (KeyFollows())
            {
                item = BlockMapping(Indent);
            }
            else
            {
                item = InlineValue(indent);
            }
            if (item is null)
            {
                return null;
            }
            sequence.Items.Add(item);
            if (_pos >= _text.Length || Indent < indent || (Indent == indent && !IsSequenceEntry()))
            {
                break;
            }
            if (Indent > indent)
            {
                return null;
            }
        }
        return Close(sequence, start);
    }

    /// <summary>
    /// The value after a key's ':' or an entry's '-' at <paramref name="after"/>: on the same line, or on the lines
    /// below, or empty. Leaves the position at the next token.
    /// </summary>
    private YNode? Value(int indent, (int Line, int Column) after, bool inMapping)
    {
        var spaces = 0;
        while (At(0) == ' ')
        {
            _pos++;
            spaces++;
        }
        if (At(0) is not ('\n' or '\0') && !(At(0) == '#' && spaces > 0))
        {
            return InlineValue(indent);
        }
        if (SkipToContent() && (Indent > indent || (inMapping && Indent == indent && IsSequenceEntry())))
        {
            return Indent > indent ? BlockCollection() : BlockSequence(indent);
        }
        return PlainScalar(after, after, []);
    }

    /// <summary>A scalar or flow collection that ends on this line; the next token must not continue it.</summary>
    private YNode? InlineValue(int indent)
    {
        if (At(0) is '|' or '>')
        {
            var block = BlockScalar(indent);
            return block is null || (SkipToContent() && Indent > indent) ? null : block;
        }
        var node = At(0) switch
        {
            '[' or '{' => Flow(),
            '"' or '\'' => Quoted(),
            _ => Plain(flow: false),
        };
        if (node is null || !RestOfLineIsBlank())
        {
            return null;
        }
        // A more indented line would continue a plain scalar, or be an error.
        return SkipToContent() && Indent > indent ? null : node;
    }

    /// <summary>Whether the rest of the line is a simple key followed by ': ' (or ':' at the end of the line).</summary>
    private bool KeyFollows()
    {
        var save = _pos;
        var key = Key(probe: true);
        _pos = save;
        return key is not null;
    }

    /// <summary>A simple key and its ':'.</summary>
    private YScalar? Key(bool probe = false)
    {
        var start = Mark();
        var first = At(0);
        if (first is '"' or '\'')
        {
            var quoted = probe ? QuotedProbe() : Quoted();
            if (quoted is null || At(0) != ':' || At(1) is not (' ' or '\n' or '\0'))
            {
                return null;
            }
            _pos++;
            return quoted as YScalar;
        }
        if (!CanStartPlain(first, At(1), flow: false))
        {
            return null;
        }
        var begin = _pos;
        while (true)
        {
            var c = At(0);
            if (c == ':' && At(1) is ' ' or '\n' or '\0')
            {
                break;
            }
            // Keys are names: other characters (YamlDotNet reads "f *x: 1" as one scalar, for one) go to the general path.
            if (!(char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '_' or '.' or '/'))
            {
                return null;
            }
            _pos++;
        }
        var length = _pos - begin;
        if (length > MaxKeyLength || _text[_pos - 1] == ' ')
        {
            return null;
        }
        var end = Mark();
        _pos++;
        if (probe)
        {
            return Placeholder;
        }
        return PlainScalar(start, end, _text.AsSpan(begin, length));
    }

    private static readonly YScalar Placeholder = new(new YSpan("", 1, 1, 1, 1), "", null, true);

    /// <summary>
    /// A plain scalar: in block context up to a comment or the end of the line; in a flow collection up to ',', a
    /// closing bracket or (for a <paramref name="key"/>) ': '.
    /// </summary>
    private YScalar? Plain(bool flow, bool key = false)
    {
        if (!CanStartPlain(At(0), At(1), flow))
        {
            return null;
        }
        var start = Mark();
        var begin = _pos;
        var last = _pos;
        while (true)
        {
            var c = At(0);
            if (flow)
            {
                if (c is ',' or ']' or '}' || (c == ':' && key && At(1) == ' '))
                {
                    break;
                }
                // Flow scalars of specs are names and numbers; YamlDotNet reads others in its own ways ("a *b: c").
                if (!(char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '_' or '.' or '/' or '+' or '~'))
                {
                    return null;
                }
            }
            else if (c is '\n' or '\0' || (c == '#' && _text[_pos - 1] == ' '))
            {
                break;
            }
            else if (c == ':' && At(1) is ' ' or '\n' or '\0')
            {
                // "a: b: c" — a mapping value where none is allowed.
                return null;
            }
            if (c != ' ')
            {
                last = _pos + 1;
            }
            _pos++;
        }
        _pos = last;
        return PlainScalar(start, Mark(), _text.AsSpan(begin, last - begin));
    }

    private static bool CanStartPlain(char c, char next, bool flow) => c switch
    {
        '\0' or ' ' or '\n' => false,
        ',' or '[' or ']' or '{' or '}' or '#' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`' => false,
        // '?' and ':' may start a plain scalar in some contexts; the general path decides those.
        '?' or ':' => false,
        '-' => next is not (' ' or '\n' or '\0') && !(flow && next is ',' or '[' or ']' or '{' or '}'),
        _ => true,
    };

    /// <summary>
    /// A literal (<c>|</c>) or folded (<c>&gt;</c>) block scalar with clip or strip (<c>-</c>) chomping and detected
    /// indentation, read line by line as YamlDotNet's scanner reads it (its folding and its span). Keep chomping,
    /// explicit indentation, empty block scalars and empty lines before the first line of text go to the general path.
    /// </summary>
    private YScalar? BlockScalar(int parentIndent)
    {
        var start = Mark();
        var literal = At(0) == '|';
        _pos++;
        var strip = At(0) == '-';
        if (strip)
        {
            _pos++;
        }
        if (At(0) is not (' ' or '\n') || !RestOfLineIsBlank())
        {
            return null;
        }
        NextLine();
        var value = new System.Text.StringBuilder();
        var indent = 0;
        var trailingBreaks = Breaks(ref indent, parentIndent);
        if (trailingBreaks > 0)
        {
            // Empty lines before the first line of text: whether their spaces are allowed depends on the indentation
            // detected after them ("found extra spaces in first line"), which the general path decides.
            return null;
        }
        var leadingBreak = false;
        var leadingBlank = false;
        var lines = 0;
        while (Indent == indent && _pos < _text.Length)
        {
            var trailingBlank = At(0) == ' ';
            if (!literal && leadingBreak && !leadingBlank && !trailingBlank)
            {
                if (trailingBreaks == 0)
                {
                    value.Append(' ');
                }
            }
            else if (leadingBreak)
            {
                value.Append('\n');
            }
            value.Append('\n', trailingBreaks);
            leadingBlank = trailingBlank;
            var end = _pos + _text.AsSpan(_pos).IndexOf((byte)'\n');
            AppendUtf8(value, _text.AsSpan(_pos, end - _pos));
            _pos = end;
            NextLine();
            leadingBreak = true;
            lines++;
            trailingBreaks = Breaks(ref indent, parentIndent);
        }
        if (lines == 0)
        {
            return null;
        }
        if (!strip)
        {
            value.Append('\n');
        }
        var text = value.ToString();
        // YamlDotNet ends the scalar at the start of the line that ends it, before that line's indentation.
        return Count() ? new YScalar(Span(start, (_line, 1)), text, text, false) : null;
    }

    private void NextLine()
    {
        _pos++;
        _line++;
        _lineStart = _pos;
    }

    /// <summary>
    /// Skips the indentation of the lines that follow and counts the empty ones; sets <paramref name="indent"/> from
    /// them and the first non-empty line when it is not known yet.
    /// </summary>
    private int Breaks(ref int indent, int parentIndent)
    {
        var breaks = 0;
        var maxIndent = 0;
        while (true)
        {
            while ((indent == 0 || Indent < indent) && At(0) == ' ')
            {
                _pos++;
            }
            maxIndent = Math.Max(maxIndent, Indent);
            if (At(0) != '\n')
            {
                break;
            }
            NextLine();
            breaks++;
        }
        if (indent == 0)
        {
            indent = Math.Max(Math.Max(maxIndent, parentIndent + 1), 1);
        }
        return breaks;
    }

    /// <summary>A one-line single- or double-quoted scalar with only the simplest escapes.</summary>
    private YScalar? Quoted()
    {
        var start = Mark();
        var quote = At(0);
        _pos++;
        var begin = _pos;
        // With an escape, the text is built of the runs between escapes, each decoded whole.
        StringBuilder? unescaped = null;
        var run = begin;
        while (true)
        {
            var c = At(0);
            if (c is '\n' or '\0')
            {
                return null;
            }
            if (c == quote)
            {
                if (quote == '\'' && At(1) == '\'')
                {
                    unescaped ??= new StringBuilder();
                    AppendUtf8(unescaped, _text.AsSpan(run, _pos - run)).Append('\'');
                    _pos += 2;
                    run = _pos;
                    continue;
                }
                break;
            }
            if (quote == '"' && c == '\\')
            {
                var escaped = At(1) switch
                {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'n' => '\n',
                    't' => '\t',
                    _ => '\0',
                };
                if (escaped == '\0')
                {
                    return null;
                }
                unescaped ??= new StringBuilder();
                AppendUtf8(unescaped, _text.AsSpan(run, _pos - run)).Append(escaped);
                _pos += 2;
                run = _pos;
                continue;
            }
            _pos++;
        }
        var text = unescaped is null
            ? Encoding.UTF8.GetString(_text, begin, _pos - begin)
            : AppendUtf8(unescaped, _text.AsSpan(run, _pos - run)).ToString();
        _pos++;
        return Count() ? new YScalar(Span(start, Mark()), text, text, false) : null;
    }

    private static StringBuilder AppendUtf8(StringBuilder builder, ReadOnlySpan<byte> utf8)
    {
        Span<char> chars = utf8.Length <= 256 ? stackalloc char[utf8.Length] : new char[utf8.Length];
        return builder.Append(chars[..Encoding.UTF8.GetChars(utf8, chars)]);
    }

    private YNode? QuotedProbe()
    {
        var quote = At(0);
        _pos++;
        while (At(0) is not ('\n' or '\0'))
        {
            if (At(0) == quote && !(quote == '\'' && At(1) == '\''))
            {
                _pos++;
                return Placeholder;
            }
            _pos += (quote == '"' && At(0) == '\\') || (quote == '\'' && At(0) == '\'') ? 2 : 1;
        }
        return null;
    }

    /// <summary>A flow sequence or mapping that closes on the line it opens.</summary>
    private YNode? Flow()
    {
        var start = Mark();
        var open = At(0);
        var close = open == '[' ? ']' : '}';
        if (!Enter())
        {
            return null;
        }
        _pos++;
        SkipSpaces();
        YNode node = open == '[' ? new YSequence(Span(start, start)) : new YMapping(Span(start, start));
        HashSet<string>? keys = null;
        if (At(0) != close)
        {
            while (true)
            {
                if (node is YMapping map)
                {
                    var key = At(0) is '"' or '\'' ? Quoted() : Plain(flow: true, key: true);
                    if (key is null || At(0) != ':' || At(1) != ' ' || !Unique(map, ref keys, key.Text))
                    {
                        return null;
                    }
                    _pos++;
                    SkipSpaces();
                    var value = FlowNode();
                    if (value is null)
                    {
                        return null;
                    }
                    map.Entries.Add(new YEntry(key, value));
                }
                else
                {
                    var item = FlowNode();
                    if (item is null)
                    {
                        return null;
                    }
                    ((YSequence)node).Items.Add(item);
                }
                SkipSpaces();
                if (At(0) == close)
                {
                    break;
                }
                if (At(0) != ',')
                {
                    return null;
                }
                _pos++;
                SkipSpaces();
                // A trailing comma, or an empty entry: leave those to the general path.
                if (At(0) is ',' or ']' or '}')
                {
                    return null;
                }
            }
        }
        var result = Close(node, start);
        _pos++;
        return result;
    }

    private void SkipSpaces()
    {
        while (At(0) == ' ')
        {
            _pos++;
        }
    }

    private YNode? FlowNode() => At(0) switch
    {
        '[' or '{' => Flow(),
        '"' or '\'' => Quoted(),
        _ => Plain(flow: true),
    };

    // Keys and values repeat across the files a thread parses ("name", "float32", "-1"): their strings and resolved
    // values are shared instead of allocated again for every file.
    [ThreadStatic]
    private static Dictionary<string, (string Text, object? Value)>? t_plain;
    private const int MaxSharedLength = 64;
    private const int MaxShared = 16_384;

    private YScalar? PlainScalar((int Line, int Column) start, (int Line, int Column) end, ReadOnlySpan<byte> utf8)
    {
        if (!Count())
        {
            return null;
        }
        var shared = t_plain ??= new Dictionary<string, (string Text, object? Value)>(StringComparer.Ordinal);
        if (utf8.Length > MaxSharedLength)
        {
            var text = Encoding.UTF8.GetString(utf8);
            return new YScalar(Span(start, end), text, CoreSchema.Resolve(text), true);
        }
        // A short scalar is looked up by its characters, decoded on the stack: a string only for one not seen before.
        Span<char> buffer = stackalloc char[MaxSharedLength];
        var chars = buffer[..Encoding.UTF8.GetChars(utf8, buffer)];
        if (!shared.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var entry))
        {
            var text = chars.ToString();
            entry = (text, CoreSchema.Resolve(text));
            if (shared.Count < MaxShared)
            {
                shared[text] = entry;
            }
        }
        return new YScalar(Span(start, end), entry.Text, entry.Value, true);
    }

    /// <summary>Ends a collection at the current token, as the general path's Pop does.</summary>
    private YNode Close(YNode node, (int Line, int Column) start)
    {
        _depth--;
        // At the end of the text (which ends with a line break) this is the start of the line after the last, where
        // YamlDotNet ends open collections too.
        node.Place = Span(start, Mark());
        node.MeasureExpansion();
        return node;
    }
}
