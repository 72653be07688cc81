namespace GitOps.Reconciler.Analysis;

/// <summary>How to reach a Prometheus HTTP API.</summary>
public sealed record PrometheusOptions
{
    /// <summary>Base URL, e.g. <c>http://prometheus:9090</c> or <c>https://metrics.example/prometheus/</c>.</summary>
    public required Uri BaseUrl { get; init; }
    /// <summary>Longest a query may take, end to end; also sent to Prometheus as its evaluation timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Value of the <c>Authorization</c> header, e.g. <c>Bearer &lt;token&gt;</c>; none when null.</summary>
    public string? Authorization { get; init; }
    /// <summary>PEM file of the certificate authority that signed the server's certificate (https), besides the system's.</summary>
    public string? CaCertificateFile { get; init; }
    /// <summary>Accept any server certificate (https). For test set-ups only.</summary>
    public bool InsecureSkipTlsVerify { get; init; }
}
