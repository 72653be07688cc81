using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Output;

/// <summary>
/// Where <c>gitops up</c> logs: every line to a file in the state folder, and, when the output is not a live table
/// (redirected, CI), to the console as well. The last lines are kept for the table's footer.
/// </summary>
public sealed class UpLog(string file, TextWriter? console) : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<string> _recent = new();
    private StreamWriter? _writer;

    /// <summary>The latest warnings and errors, newest last.</summary>
    public IReadOnlyList<string> Recent => [.. _recent];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    private void Write(LogLevel level, string message)
    {
        var line = $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {Level(level)} {message}";
        lock (_gate)
        {
            if (_writer is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                _writer = new StreamWriter(file, append: true) { AutoFlush = true };
            }
            _writer.WriteLine(line);
            console?.WriteLine(line);
        }
        if (level >= LogLevel.Warning)
        {
            _recent.Enqueue(message);
            while (_recent.Count > 5 && _recent.TryDequeue(out _))
            {
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Critical or LogLevel.Error => "error",
        LogLevel.Warning => "warn ",
        _ => "info ",
    };

    public void Dispose()
    {
        lock (_gate)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }

    private sealed class Logger(UpLog owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(logLevel, formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})"));
            }
        }
    }
}
