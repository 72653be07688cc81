namespace GitOps.Reconciler.WebConsole;

/// <summary>A web console to serve: who may read it and what it reads.</summary>
public sealed record ConsoleSite(ConsoleOptions Options, ConsoleSources Sources);
