using System.Runtime.InteropServices;
using GitOps.Serving.Hosting;
using GitOps.Serving.Protocol.Grpc;
using GitOps.Training.Datasets;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace GitOps.Serving.Tests;

/// <summary>A real gRPC client (Grpc.Net.Client, plain-text HTTP/2) on a server's gRPC endpoint, and v2 infer messages.</summary>
internal sealed class GrpcCalls : IDisposable
{
    private readonly GrpcChannel _channel;

    public GrpcCalls(InferenceServer server)
    {
        _channel = GrpcChannel.ForAddress(server.GrpcAddress ?? throw new InvalidOperationException("the server has no gRPC endpoint"),
            new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
        Client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    public GRPCInferenceService.GRPCInferenceServiceClient Client { get; }

    public static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    /// <summary>Rows [from, from + count) as one [count, 1] FP32 tensor per feature, values in <c>raw_input_contents</c>.</summary>
    public static ModelInferRequest RawRequest(IReadOnlyList<float[]> rows, int from, int count, string model = "fraud")
    {
        var request = new ModelInferRequest { ModelName = model };
        for (var f = 0; f < FraudDataset.Features.Count; f++)
        {
            request.Inputs.Add(Input(FraudDataset.Features[f], count));
            var values = Enumerable.Range(from, count).Select(r => rows[r][f]).ToArray();
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
        }
        return request;
    }

    /// <summary>The same rows as <see cref="RawRequest"/>, values in the typed <c>contents.fp32_contents</c>.</summary>
    public static ModelInferRequest TypedRequest(IReadOnlyList<float[]> rows, int from, int count)
    {
        var request = new ModelInferRequest { ModelName = "fraud" };
        for (var f = 0; f < FraudDataset.Features.Count; f++)
        {
            var input = Input(FraudDataset.Features[f], count);
            input.Contents = new InferTensorContents();
            input.Contents.Fp32Contents.AddRange(Enumerable.Range(from, count).Select(r => rows[r][f]));
            request.Inputs.Add(input);
        }
        return request;
    }

    private static ModelInferRequest.Types.InferInputTensor Input(string name, int rows)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "FP32" };
        input.Shape.Add(rows);
        input.Shape.Add(1);
        return input;
    }

    /// <summary>An output's values, from <c>raw_output_contents</c> or the typed contents, whichever the response used.</summary>
    public static float[] Floats(ModelInferResponse response, string name)
    {
        var index = response.Outputs.Select(o => o.Name).ToList().IndexOf(name);
        Assert.True(index >= 0, $"no output {name}");
        return response.RawOutputContents.Count > 0
            ? MemoryMarshal.Cast<byte, float>(response.RawOutputContents[index].Span).ToArray()
            : [.. response.Outputs[index].Contents.Fp32Contents];
    }

    public static bool[] Bools(ModelInferResponse response, string name)
    {
        var index = response.Outputs.Select(o => o.Name).ToList().IndexOf(name);
        Assert.True(index >= 0, $"no output {name}");
        return response.RawOutputContents.Count > 0
            ? [.. response.RawOutputContents[index].Span.ToArray().Select(b => b != 0)]
            : [.. response.Outputs[index].Contents.BoolContents];
    }

    /// <summary>The status a failing call ends with.</summary>
    public static async Task<RpcException> FailsAsync<T>(AsyncUnaryCall<T> call)
    {
        using (call)
        {
            return await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        }
    }

    public void Dispose() => _channel.Dispose();
}
