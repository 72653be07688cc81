using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Output;

/// <summary>Gives every category a <see cref="WriterLogger"/> on one writer (a command's standard error).</summary>
public sealed class WriterLoggerProvider(TextWriter writer, LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new WriterLogger(writer, minimum);

    public void Dispose()
    {
    }
}
