using System.Collections.Immutable;
using GitOps.Serving.Batching;
using GitOps.Serving.Caching;
using GitOps.Serving.Metrics;
using GitOps.Serving.Model;
using GitOps.Serving.Monitoring;
using GitOps.Serving.Protocol;

namespace GitOps.Serving.Hosting;

/// <summary>
/// The server's core without HTTP: parse and validate a request body, run it (batched when enabled, or
/// answered from the response cache when it is on and has seen the inputs), keep the requested outputs and record the
/// primary score. Cached answers are recorded like computed ones: drift and the score histogram see all traffic.
/// </summary>
public sealed class InferenceService(OnnxModel model, InferenceExecutor executor, ServingMetrics metrics, string? scoreOutput = null,
    DriftMonitor? drift = null, ResponseCache? cache = null)
{
    /// <summary>The output whose values feed the score histogram.</summary>
    public string? ScoreOutput { get; } = ChooseScoreOutput(model.Outputs, scoreOutput);

    public OnnxModel Model => model;

    public async Task<(InferenceResult? Result, ProtocolError? Error)> InferAsync(ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var (request, error) = InferRequestParser.Parse(body.Span, model.Inputs, model.Outputs);
        if (request is null)
        {
            return (null, error);
        }
        return (await InferAsync(request, ct), null);
    }

    public async ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken ct)
    {
        var outputs = cache is null ? await executor.RunAsync(request, ct) : await cache.GetOrRunAsync(request, executor.RunAsync, ct);
        Tensor? scores = null;
        if (ScoreOutput is not null)
        {
            foreach (var output in outputs)
            {
                if (output.Name == ScoreOutput)
                {
                    metrics.RecordScores(output);
                    scores = output;
                }
            }
        }
        drift?.Observe(request.Inputs, request.Rows, scores);
        var kept = request.RequestedOutputs.IsEmpty
            ? outputs
            : [.. outputs.Where(o => request.RequestedOutputs.Contains(o.Name))];
        return new InferenceResult(request.Id, kept);
    }

    /// <summary>The named output; else <c>Probability</c>, <c>Score</c>, or the first floating-point output.</summary>
    public static string? ChooseScoreOutput(ImmutableArray<TensorSignature> outputs, string? requested)
    {
        if (requested is not null)
        {
            return outputs.Any(o => o.Name == requested)
                ? requested
                : throw new ModelLoadException($"score output '{requested}' is not an output of the model; outputs: {string.Join(", ", outputs.Select(o => o.Name))}");
        }
        var floats = outputs.Where(o => o.Datatype == TensorDatatype.Fp32 || o.Datatype == TensorDatatype.Fp64).ToList();
        return floats.FirstOrDefault(o => o.Name == "Probability")?.Name
            ?? floats.FirstOrDefault(o => o.Name == "Score")?.Name
            ?? floats.FirstOrDefault()?.Name;
    }
}
