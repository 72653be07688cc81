using System.Collections.Immutable;

namespace GitOps.Registry.Records;

/// <summary>
/// Metrics a trainer reported part-way through a run (an entry of the <c>MODEL/VERSION/progress</c> log): step
/// <see cref="Step"/> of <see cref="Steps"/>, after <see cref="Iterations"/> trees or iterations, evaluated on the
/// validation split. The experiment runner reads the objective from it for the median stopping rule.
/// </summary>
public sealed record TrainingStage(int Step, int Steps, int Iterations, ImmutableSortedDictionary<string, double> Metrics, DateTimeOffset At);
