namespace GitOps.Policy;

/// <summary>Builds spec paths the way the loader records spans: <c>spec.overrides.prod</c>, <c>labels['a.b/c']</c>.</summary>
public static class SpecPaths
{
    public static string Child(string parent, string key)
    {
        if (key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            return parent.Length == 0 ? key : parent + "." + key;
        }
        return parent + "['" + key.Replace("'", "\\'", StringComparison.Ordinal) + "']";
    }

    public static string Join(IEnumerable<string> segments) => segments.Aggregate("", Child);
}
