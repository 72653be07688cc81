namespace GitOps.Specs.Model;

/// <summary>
/// Field paths into a document (<c>spec.serving</c>, <c>metadata.labels</c>) as a tree: what a reader of the
/// document's plain-data view needs (<see cref="SpecOrigin.RawAlong"/>). Everything below the end of a path is
/// included; a path of no fields means the whole document.
/// </summary>
public sealed class FieldPaths
{
    private readonly Dictionary<string, FieldPaths> _children = new(StringComparer.Ordinal);

    private FieldPaths()
    {
    }

    /// <summary>Everything from here down is wanted.</summary>
    public bool Whole { get; private set; }

    /// <summary>The fields wanted below this one, when not <see cref="Whole"/>.</summary>
    public IReadOnlyDictionary<string, FieldPaths> Children => _children;

    public static FieldPaths Of(IEnumerable<IReadOnlyList<string>> paths)
    {
        var root = new FieldPaths();
        foreach (var path in paths)
        {
            root.Add(path, 0);
        }
        return root;
    }

    /// <summary>True when <paramref name="other"/> names the same fields.</summary>
    public bool SameAs(FieldPaths other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (Whole != other.Whole || _children.Count != other._children.Count)
        {
            return false;
        }
        foreach (var (name, child) in _children)
        {
            if (!other._children.TryGetValue(name, out var theirs) || !child.SameAs(theirs))
            {
                return false;
            }
        }
        return true;
    }

    private void Add(IReadOnlyList<string> path, int from)
    {
        if (Whole)
        {
            return;
        }
        if (from == path.Count)
        {
            Whole = true;
            _children.Clear();
            return;
        }
        if (!_children.TryGetValue(path[from], out var child))
        {
            _children[path[from]] = child = new FieldPaths();
        }
        child.Add(path, from + 1);
    }
}
