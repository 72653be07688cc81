using System.Text.Json;

namespace GitOps.Specs.Tests.Support;

/// <summary>Fixture repositories under <c>testdata/</c>: a repo tree plus optional <c>limits.json</c> and <c>expected.txt</c>.</summary>
public static class Fixtures
{
    public static string Invalid => Path.Combine(TestPaths.TestData, "invalid");

    public static string Valid => Path.Combine(TestPaths.TestData, "valid");

    public static IEnumerable<string> InvalidCases() =>
        Directory.GetDirectories(Invalid).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static LoaderLimits? Limits(string dir)
    {
        var path = Path.Combine(dir, "limits.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<LoaderLimits>(File.ReadAllText(path)) : null;
    }

    /// <summary>Validates a fixture repo the way <c>gitops validate</c> does and renders the diagnostics, one per line.</summary>
    public static string Render(string dir)
    {
        var limits = Limits(dir);
        var result = SpecValidator.Validate(SpecFileReader.Read(dir, limits ?? LoaderLimits.Default), limits);
        return string.Concat(result.Diagnostics.Select(d => d + "\n"));
    }
}
