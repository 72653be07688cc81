using System.Text.Json;

namespace GitOps.Specs.Tests.Support;

/// <summary>
/// Fixture repositories under <c>testdata/</c>: a repo tree plus optional <c>limits.json</c>, <c>links.json</c> (symbolic
/// links made in a copy of the fixture when it is read: a link that leads nowhere is kept out of this repository, whose
/// own tools walk it) and <c>expected.txt</c>.
/// </summary>
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
        var links = Path.Combine(dir, "links.json");
        if (!File.Exists(links))
        {
            return Render(dir, limits);
        }
        var copy = Directory.CreateTempSubdirectory("gitops-fixture-");
        try
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(copy.FullName, Path.GetRelativePath(dir, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            foreach (var (path, target) in JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(links))!)
            {
                var full = Path.Combine(copy.FullName, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.CreateSymbolicLink(full, target);
            }
            return Render(copy.FullName, limits);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static string Render(string dir, LoaderLimits? limits)
    {
        var result = SpecValidator.Validate(SpecFileReader.Read(dir, limits ?? LoaderLimits.Default), limits);
        return string.Concat(result.Diagnostics.Select(d => d + "\n"));
    }
}
