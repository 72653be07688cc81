using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Output;

/// <summary>A logger that prints <c>level: message</c> lines to a command's error writer (retries, waits).</summary>
public sealed class WriterLogger(TextWriter writer, LogLevel minimum = LogLevel.Information) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            writer.WriteLine($"{(logLevel >= LogLevel.Warning ? "warning" : "info")}: {formatter(state, exception)}");
        }
    }
}
