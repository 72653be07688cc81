using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Cel;
using GitOps.Specs.Diagnostics;

namespace GitOps.Policy.Expressions;

/// <summary>
/// Compiles and evaluates CEL expressions. Each distinct source text is compiled once and cached for the life of the
/// process. Nothing here throws to callers: compile and evaluation failures come back as values.
/// </summary>
public static partial class CelExpressions
{
    private static readonly CelEnvironment Environment = CreateEnvironment();
    private static readonly Lock CompileLock = new();
    private static readonly ConcurrentDictionary<string, CompiledExpression> Cache = new(StringComparer.Ordinal);

    /// <summary>Compiles <paramref name="source"/> (cached). A syntax error is reported in <see cref="CompiledExpression.Error"/>.</summary>
    public static CompiledExpression Compile(string source) => Cache.GetOrAdd(source ?? "", CompileUncached);

    /// <summary>
    /// Checks that <paramref name="source"/> parses and only uses the given variables and functions this CEL
    /// implementation supports. Returns the first problem, or <c>null</c> when the expression is usable.
    /// </summary>
    public static ExpressionProblem? Check(string source, IReadOnlyCollection<string> variables)
    {
        var compiled = Compile(source);
        if (compiled.Error is { } error)
        {
            return error;
        }
        foreach (var reference in compiled.Shape.Variables)
        {
            if (!variables.Contains(reference.Name) && !CelFunctionNames.TypeNames.Contains(reference.Name))
            {
                var suggestion = Suggestions.Closest(reference.Name, variables);
                return new ExpressionProblem(ExpressionProblemKind.UnknownVariable,
                    $"unknown variable '{reference.Name}'; the variables here are {string.Join(", ", variables.Order(StringComparer.Ordinal).Select(v => $"'{v}'"))}",
                    reference.Column, suggestion is null ? null : $"did you mean '{suggestion}'?");
            }
        }
        foreach (var call in compiled.Shape.Functions)
        {
            var known = call.IsMethod ? CelFunctionNames.Methods : CelFunctionNames.Globals;
            if (!known.Contains(call.Name))
            {
                var suggestion = Suggestions.Closest(call.Name, known);
                return new ExpressionProblem(ExpressionProblemKind.UnknownFunction,
                    $"unknown function '{call.Name}'",
                    call.Column, suggestion is null ? "see the CEL functions listed in docs/policies.md" : $"did you mean '{suggestion}'?");
            }
        }
        return null;
    }

    /// <summary>
    /// Starts the CEL environment and runs its parser, compiler and evaluator once on a small expression: in a fresh
    /// process that first use costs a few hundred milliseconds of start-up, which a caller can pay on another core
    /// while it reads the specs. Never throws; the result is cached like any expression.
    /// </summary>
    public static void WarmUp()
    {
        var spec = new Dictionary<string, object?> { ["replicas"] = 2L, ["name"] = "model", ["labels"] = new Dictionary<string, object?> { ["team"] = "ml" } };
        Evaluate("has(object.spec.labels) && object.spec.replicas >= 1 && object.spec.name.startsWith('m') && size(object.spec.labels) > 0",
            new Dictionary<string, object?> { ["object"] = new Dictionary<string, object?> { ["spec"] = spec } });
    }

    /// <summary>Evaluates <paramref name="source"/> with <paramref name="variables"/> bound.</summary>
    public static CelOutcome Evaluate(string source, IReadOnlyDictionary<string, object?> variables) =>
        Evaluate(Compile(source), variables);

    /// <summary>Evaluates a compiled expression with <paramref name="variables"/> bound.</summary>
    public static CelOutcome Evaluate(CompiledExpression expression, IReadOnlyDictionary<string, object?> variables)
    {
        if (expression.Program is not { } program)
        {
            return CelOutcome.Failed(CelFailureKind.Syntax, expression.Error!.Message);
        }
        var bound = new CelVariables(variables);
        var outcome = Invoke(program, bound);
        // A selection of a missing field that no has() guards yields a placeholder the library then compares or
        // indexes without complaint; report it as the missing field it is.
        if (outcome.Succeeded && bound.Missing is { } missing
            && missing.FirstOrDefault(m => !expression.Shape.PresenceTests.Any(p => p == m.Path || p.StartsWith(m.Path + ".", StringComparison.Ordinal)))
                is { Path: not null } unguarded)
        {
            return CelOutcome.Missing(unguarded.Field, unguarded.Parent);
        }
        // The library reports some missing fields late, as an argument type error (size(x) of a missing x) or as
        // an internal placeholder value; name the missing field instead.
        if ((outcome.Failure is { Kind: not CelFailureKind.MissingField } || outcome.Value?.GetType().Name == "CelNoSuchField")
            && FirstMissing(expression.Shape, variables) is var (field, parent))
        {
            return CelOutcome.Missing(field, parent);
        }
        return outcome;
    }

    private static CelOutcome Invoke(CelProgramDelegate program, CelVariables variables)
    {
        try
        {
            return CelOutcome.Of(program.Invoke(variables!));
        }
        catch (CelNoSuchFieldException e)
        {
            var m = NoSuchFieldPattern().Match(e.Message);
            return m.Success
                ? CelOutcome.Missing(m.Groups["field"].Value, m.Groups["parent"].Value)
                : CelOutcome.Failed(CelFailureKind.MissingField, e.Message);
        }
        catch (CelArgumentRangeException e)
        {
            return CelOutcome.Failed(CelFailureKind.MissingField, e.Message);
        }
        catch (CelTypeDoesNotSupportFieldSelectionException e)
        {
            return CelOutcome.Failed(CelFailureKind.TypeError, e.Message);
        }
        catch (CelNoSuchOverloadException e)
        {
            return CelOutcome.Failed(CelFailureKind.TypeError, e.Message);
        }
        catch (CelException e)
        {
            return CelOutcome.Failed(CelFailureKind.Other, e.Message);
        }
        catch (Exception e) when (e is InvalidCastException or ArgumentException or FormatException or OverflowException
                                       or NullReferenceException or InvalidOperationException or RegexParseException)
        {
            // The library surfaces some type mismatches as raw .NET exceptions; they are still the expression's fault.
            return CelOutcome.Failed(CelFailureKind.TypeError, e.Message);
        }
    }

    /// <summary>The first field selection of the expression that stops at a map lacking the next key.</summary>
    private static (string Field, string Parent)? FirstMissing(ExpressionShape shape, IReadOnlyDictionary<string, object?> variables)
    {
        foreach (var path in shape.Selections)
        {
            if (!variables.TryGetValue(path[0], out var node))
            {
                continue;
            }
            for (var i = 1; i < path.Length; i++)
            {
                if (node is not IDictionary<string, object?> map)
                {
                    break;
                }
                if (!map.TryGetValue(path[i], out node))
                {
                    return (path[i], string.Join('.', path.Take(i)));
                }
            }
        }
        return null;
    }

    /// <summary>
    /// True when the CEL environment runs without protobuf enum lookups (<see cref="CelEnumLookups"/>). A test keeps
    /// it true, so a package upgrade that moves the library's internals fails CI instead of slowing users down.
    /// </summary>
    internal static bool FastPathInEffect { get; private set; }

    private static CelEnvironment CreateEnvironment()
    {
        var environment = new CelEnvironment(null, null);
        FastPathInEffect = CelEnumLookups.TryDisable(environment);
        return environment;
    }

    private static CompiledExpression CompileUncached(string source)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            return CompiledExpression.Invalid(source, new ExpressionProblem(ExpressionProblemKind.Syntax, "the expression is empty", 0, null));
        }
        try
        {
            lock (CompileLock)
            {
                var tree = Environment.Parse(source);
                var shape = ExpressionShape.Of(tree);
                var program = Environment.Compile(tree);
                return new CompiledExpression(source, program, null, shape);
            }
        }
        catch (Exception e) when (e is CelException or InvalidOperationException or ArgumentException or NullReferenceException)
        {
            return CompiledExpression.Invalid(source, SyntaxProblem(e.Message));
        }
    }

    private static ExpressionProblem SyntaxProblem(string message)
    {
        var m = SyntaxErrorPattern().Match(message);
        if (!m.Success)
        {
            return new ExpressionProblem(ExpressionProblemKind.Syntax, $"syntax error: {message}", 0, null);
        }
        var column = int.Parse(m.Groups["col"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var detail = m.Groups["detail"].Value.Trim();
        // ANTLR lists every token it could accept; the first words are what a person needs.
        var expecting = detail.IndexOf(" expecting ", StringComparison.Ordinal);
        if (expecting >= 0)
        {
            detail = detail[..expecting];
        }
        detail = detail.Replace("mismatched input '<EOF>'", "unexpected end of expression", StringComparison.Ordinal)
            .Replace("mismatched input", "unexpected", StringComparison.Ordinal)
            .Replace("extraneous input", "unexpected", StringComparison.Ordinal)
            .Replace("no viable alternative at input", "cannot parse", StringComparison.Ordinal)
            .Replace("token recognition error at:", "unexpected character", StringComparison.Ordinal)
            .Replace("'<EOF>'", "end of expression", StringComparison.Ordinal);
        return new ExpressionProblem(ExpressionProblemKind.Syntax, $"syntax error at column {column + 1}: {detail}", column, null);
    }

    [GeneratedRegex(@"^Line \d+:(?<col>\d+)\s*(?<detail>.*)$", RegexOptions.Singleline)]
    private static partial Regex SyntaxErrorPattern();

    [GeneratedRegex(@"field '(?<field>[^']*)' in variable '(?<parent>[^']*)'")]
    private static partial Regex NoSuchFieldPattern();
}

/// <summary>A cached compilation: <see cref="Program"/> is null exactly when <see cref="Error"/> is set.</summary>
public sealed record CompiledExpression(string Source, CelProgramDelegate? Program, ExpressionProblem? Error, ExpressionShape Shape)
{
    public bool IsValid => Error is null;

    internal static CompiledExpression Invalid(string source, ExpressionProblem error) => new(source, null, error, ExpressionShape.Empty);
}

public enum ExpressionProblemKind
{
    Syntax,
    UnknownVariable,
    UnknownFunction,
}

/// <summary>Why an expression cannot be used; <see cref="Column"/> is a 0-based offset into the expression text.</summary>
public sealed record ExpressionProblem(ExpressionProblemKind Kind, string Message, int Column, string? Hint);

public enum CelFailureKind
{
    Syntax,
    MissingField,
    TypeError,
    Other,
}

/// <summary>Why an evaluation produced no value. <see cref="Field"/>/<see cref="Parent"/> name a missing field.</summary>
public sealed record CelFailure(CelFailureKind Kind, string Message, string? Field = null, string? Parent = null);

/// <summary>The value of an evaluation, or why there is none.</summary>
public sealed record CelOutcome(object? Value, CelFailure? Failure)
{
    public bool Succeeded => Failure is null;

    public static CelOutcome Of(object? value) => new(value, null);

    public static CelOutcome Failed(CelFailureKind kind, string message) => new(null, new CelFailure(kind, message));

    public static CelOutcome Missing(string field, string parent) =>
        new(null, new CelFailure(CelFailureKind.MissingField, $"field '{field}' is missing from '{parent}'", field, parent));
}

/// <summary>Functions and macros this CEL implementation evaluates.</summary>
public static class CelFunctionNames
{
    public static readonly ImmutableHashSet<string> Globals =
    [
        "has", "size", "int", "uint", "double", "string", "bytes", "bool", "duration", "timestamp", "type", "dyn",
        "matches", "contains", "startsWith", "endsWith",
    ];

    public static readonly ImmutableHashSet<string> Methods =
    [
        "all", "exists", "exists_one", "map", "filter", "size", "contains", "startsWith", "endsWith", "matches",
        "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getHours",
        "getMinutes", "getSeconds", "getMilliseconds",
    ];

    /// <summary>Type names usable as values, e.g. <c>type(x) == int</c>.</summary>
    public static readonly ImmutableHashSet<string> TypeNames =
        ["int", "uint", "double", "string", "bytes", "bool", "list", "map", "null_type", "type"];

    /// <summary>Macros whose first argument names a variable bound inside the macro.</summary>
    public static readonly ImmutableHashSet<string> Comprehensions = ["all", "exists", "exists_one", "map", "filter"];
}
