using System.Collections.Immutable;
using GitOps.Specs.Diagnostics;
using GitOps.Specs.Model;

namespace GitOps.Specs;

/// <summary>
/// The specs that loaded cleanly plus every diagnostic found, sorted by file, line, column and id.
/// A document with errors is left out of <see cref="Specs"/>; callers must not act on a result that <see cref="HasErrors"/>.
/// </summary>
public sealed record LoadResult(SpecSet Specs, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>The result with <paramref name="more"/> diagnostics added, re-sorted.</summary>
    public LoadResult With(IEnumerable<Diagnostic> more) => this with { Diagnostics = DiagnosticOrder.Sort(Diagnostics.Concat(more)) };
}
