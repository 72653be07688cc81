using System.Collections.Immutable;
using Antlr4.Runtime.Tree;
using Cel.Internal;

namespace GitOps.Policy.Expressions;

/// <summary>A name used by an expression and where (0-based offset into the expression text).</summary>
public sealed record NameReference(string Name, int Column, bool IsMethod = false);

/// <summary>
/// What an expression refers to, read from its syntax tree: free variables, called functions and field selection
/// chains rooted at a variable (<c>object.spec.owner</c> → <c>["object", "spec", "owner"]</c>).
/// </summary>
public sealed record ExpressionShape(
    ImmutableArray<NameReference> Variables,
    ImmutableArray<NameReference> Functions,
    ImmutableArray<ImmutableArray<string>> Selections)
{
    public static readonly ExpressionShape Empty = new([], [], []);

    /// <summary>Free variables whose value is used as a whole (not only through a field selection).</summary>
    public ImmutableArray<string> BareVariables { get; init; } = [];

    /// <summary>Texts of the arguments of <c>has(…)</c> calls, e.g. <c>object.spec.owner</c>.</summary>
    public ImmutableArray<string> PresenceTests { get; init; } = [];

    /// <summary>Names bound by macros such as <c>all(x, …)</c>.</summary>
    public ImmutableArray<string> BoundNames { get; init; } = [];

    /// <summary>True when the expression reads <paramref name="variable"/>.</summary>
    public bool Uses(string variable) => Variables.Any(v => v.Name == variable);

    internal static ExpressionShape Of(IParseTree tree)
    {
        var bound = new HashSet<string>(StringComparer.Ordinal);
        CollectBound(tree, bound);
        var variables = new List<NameReference>();
        var functions = new List<NameReference>();
        var selections = new List<ImmutableArray<string>>();
        var bare = new SortedSet<string>(StringComparer.Ordinal);
        var presence = new SortedSet<string>(StringComparer.Ordinal);
        Collect(tree, bound, variables, functions, selections, bare, presence);
        return new([.. variables], [.. functions], [.. selections])
        {
            BareVariables = [.. bare],
            BoundNames = [.. bound.Order(StringComparer.Ordinal)],
            PresenceTests = [.. presence],
        };
    }

    private static void CollectBound(IParseTree node, HashSet<string> bound)
    {
        if (node is CelParser.MemberCallContext call
            && CelFunctionNames.Comprehensions.Contains(call.id?.Text ?? "")
            && call.args?._e is { Count: >= 2 } args)
        {
            bound.Add(args[0].GetText());
        }
        for (var i = 0; i < node.ChildCount; i++)
        {
            CollectBound(node.GetChild(i), bound);
        }
    }

    private static void Collect(IParseTree node, HashSet<string> bound, List<NameReference> variables,
        List<NameReference> functions, List<ImmutableArray<string>> selections, SortedSet<string> bare, SortedSet<string> presence)
    {
        switch (node)
        {
            case CelParser.IdentOrGlobalCallContext ident when ident.id is { } id:
                if (ident.op is not null)
                {
                    functions.Add(new NameReference(id.Text, id.StartIndex));
                    if (id.Text == "has" && ident.args?._e is { Count: 1 } args)
                    {
                        presence.Add(args[0].GetText());
                    }
                }
                else if (!bound.Contains(id.Text))
                {
                    if (variables.All(v => v.Name != id.Text))
                    {
                        variables.Add(new NameReference(id.Text, id.StartIndex));
                    }
                    if (ident.Parent is not CelParser.PrimaryExprContext { Parent: CelParser.SelectContext })
                    {
                        bare.Add(id.Text);
                    }
                }
                break;
            case CelParser.MemberCallContext call when call.id is { } id:
                functions.Add(new NameReference(id.Text, id.StartIndex, IsMethod: true));
                break;
            case CelParser.SelectContext select when select.Parent is not CelParser.SelectContext:
                if (Chain(select) is { } chain && !bound.Contains(chain[0]))
                {
                    selections.Add(chain);
                }
                break;
        }
        for (var i = 0; i < node.ChildCount; i++)
        {
            Collect(node.GetChild(i), bound, variables, functions, selections, bare, presence);
        }
    }

    private static ImmutableArray<string>? Chain(CelParser.SelectContext top)
    {
        var segments = new List<string>();
        CelParser.MemberContext? current = top;
        while (current is CelParser.SelectContext select)
        {
            if (select.id is null)
            {
                return null;
            }
            segments.Add(select.id.Text);
            current = select.member();
        }
        if (current is CelParser.PrimaryExprContext primary
            && primary.GetChild(0) is CelParser.IdentOrGlobalCallContext { op: null, id: { } root })
        {
            segments.Add(root.Text);
            segments.Reverse();
            return [.. segments];
        }
        return null;
    }
}
