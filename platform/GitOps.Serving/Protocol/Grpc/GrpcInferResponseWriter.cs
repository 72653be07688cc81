using System.Runtime.InteropServices;
using GitOps.Serving.Metrics;
using Google.Protobuf;

namespace GitOps.Serving.Protocol.Grpc;

/// <summary>Writes infer results and model metadata as the gRPC protocol's messages.</summary>
public static class GrpcInferResponseWriter
{
    /// <param name="raw">True: values in <c>raw_output_contents</c> (the request sent raw inputs); false: in typed <c>contents</c>.</param>
    public static ModelInferResponse WriteResult(ModelIdentity model, InferenceResult result, bool raw)
    {
        var response = new ModelInferResponse
        {
            ModelName = model.Name,
            ModelVersion = model.Version,
            Id = result.Id ?? "",
        };
        foreach (var output in result.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.Datatype.Name };
            tensor.Shape.AddRange(output.Shape);
            if (raw)
            {
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(RawBytes(output.Data)));
            }
            else
            {
                tensor.Contents = Contents(output.Data);
            }
            response.Outputs.Add(tensor);
        }
        return response;
    }

    // Little-endian element memory, as the protocol's raw contents are; BOOL as one byte of 0 or 1.
    private static byte[] RawBytes(Array data) => data switch
    {
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()).ToArray(),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()).ToArray(),
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()).ToArray(),
        byte[] a => a,
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()).ToArray(),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()).ToArray(),
        bool[] a => MemoryMarshal.AsBytes(a.AsSpan()).ToArray(),
        _ => throw new ArgumentException($"unsupported tensor data {data.GetType()}", nameof(data)),
    };

    private static InferTensorContents Contents(Array data)
    {
        var contents = new InferTensorContents();
        switch (data)
        {
            case float[] a:
                contents.Fp32Contents.AddRange(a);
                break;
            case double[] a:
                contents.Fp64Contents.AddRange(a);
                break;
            case sbyte[] a:
                contents.IntContents.AddRange(a.Select(v => (int)v));
                break;
            case byte[] a:
                contents.UintContents.AddRange(a.Select(v => (uint)v));
                break;
            case int[] a:
                contents.IntContents.AddRange(a);
                break;
            case long[] a:
                contents.Int64Contents.AddRange(a);
                break;
            case bool[] a:
                contents.BoolContents.AddRange(a);
                break;
            default:
                throw new ArgumentException($"unsupported tensor data {data.GetType()}", nameof(data));
        }
        return contents;
    }

    /// <summary>The same facts as the REST metadata (<see cref="InferResponseWriter.WriteMetadata"/>).</summary>
    public static ModelMetadataResponse WriteMetadata(ModelIdentity model, IReadOnlyList<TensorSignature> inputs, IReadOnlyList<TensorSignature> outputs)
    {
        var response = new ModelMetadataResponse { Name = model.Name, Platform = InferResponseWriter.Platform };
        response.Versions.Add(model.Version);
        response.Inputs.AddRange(inputs.Select(Metadata));
        response.Outputs.AddRange(outputs.Select(Metadata));
        return response;
    }

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(TensorSignature signature)
    {
        var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = signature.Name, Datatype = signature.Datatype.Name };
        tensor.Shape.AddRange(signature.Shape);
        return tensor;
    }
}
