namespace GitOps.Cli.Output;

/// <summary>
/// A problem with how the command was called or with its inputs (missing path, unreadable file): printed as one
/// message without a stack trace and mapped to exit code 2.
/// </summary>
public sealed class UserError(string message) : Exception(message);
