using GitOps.Specs.Diagnostics;
using GitOps.Specs.Yaml;

namespace GitOps.Specs.Loading;

/// <summary>
/// The parsed tree of one loaded document, kept for its span maps and plain-data view until
/// <see cref="Release"/>; after that the document is parsed again from its file's bytes when either is asked for.
/// The bytes weigh a fraction of the tree (a 2,000-model repository: about 2 MB of text against 13 MiB of nodes),
/// and once a commit is validated its specs are rarely pointed into again.
/// </summary>
internal sealed class DocumentTree(SourceFile file, int index, LoaderLimits limits, YMapping map)
{
    private YMapping? _map = map;

    public YMapping Map => _map ?? Parse();

    public void Release() => _map = null;

    private YMapping Parse()
    {
        // The same bytes with the same limits give the same tree the document was loaded from, spans included.
        var document = YamlReader.Read(file, limits, new List<Diagnostic>()).First(d => d.Index == index);
        return (YMapping)document.Root.Resolved;
    }
}
