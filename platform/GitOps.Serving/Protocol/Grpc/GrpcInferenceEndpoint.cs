using GitOps.Serving.Hosting;
using GitOps.Serving.Metrics;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Serving.Protocol.Grpc;

/// <summary>
/// The Open Inference Protocol gRPC service (<c>inference.GRPCInferenceService</c>). It translates messages only:
/// auth, limits, readiness, faults, the core and the metrics are the <see cref="InferencePipeline"/>'s, as for REST.
/// Errors are gRPC statuses with the same message REST would send (see <see cref="GrpcStatusMapping"/>).
/// </summary>
public sealed class GrpcInferenceEndpoint(Func<InferencePipeline> pipeline) : GRPCInferenceService.GRPCInferenceServiceBase
{
    private const string InferPath = "/inference.GRPCInferenceService/ModelInfer";
    // Set on calls the pipeline counted; the middleware counts the others (refused by gRPC before the service ran).
    private static readonly object Counted = new();

    /// <summary>Registers gRPC with the message size limit and this service over the server's pipeline.</summary>
    public static void AddTo(IServiceCollection services, long maxMessageBytes, Func<InferencePipeline> pipeline)
    {
        services.AddGrpc(grpc =>
        {
            // Larger messages are refused with RESOURCE_EXHAUSTED before they are buffered, as REST refuses them with 413.
            grpc.MaxReceiveMessageSize = (int)Math.Min(maxMessageBytes, int.MaxValue);
            grpc.MaxSendMessageSize = null;
        });
        services.AddSingleton(new GrpcInferenceEndpoint(pipeline));
    }

    /// <summary>
    /// Puts gRPC's message size limit in place of Kestrel's body size limit on gRPC calls (Kestrel's would fail the
    /// read with an exception gRPC reports as UNKNOWN), and counts in the request metrics the infer calls gRPC refused
    /// before the service ran (a message over the limit), so they show as REST's 413s do.
    /// </summary>
    public static void UseMessageLimits(IApplicationBuilder app, ServingMetrics metrics, TimeProvider time) =>
        app.Use(async (ctx, next) =>
        {
            if (ctx.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
            {
                await next(ctx);
                return;
            }
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            {
                bodyLimit.MaxRequestBodySize = null;
            }
            if (ctx.Request.Path != InferPath)
            {
                await next(ctx);
                return;
            }
            var start = time.GetTimestamp();
            await next(ctx);
            if (!ctx.Items.ContainsKey(Counted) && ResponseStatus(ctx) is { } status)
            {
                metrics.RecordRequest(ServingMetrics.Grpc, GrpcStatusMapping.ToHttp(status), time.GetElapsedTime(start));
            }
        });

    private static StatusCode? ResponseStatus(HttpContext ctx)
    {
        // A call that fails before any message is answered "trailers-only": the status travels in the headers.
        var value = ctx.Response.Headers["grpc-status"].ToString();
        if (value.Length == 0)
        {
            value = ctx.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].ToString() ?? "";
        }
        return int.TryParse(value, out var code) ? (StatusCode)code : null;
    }

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = pipeline().IsReady });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse { Name = InferResponseWriter.ServerName, Version = InferResponseWriter.ServerVersion });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        var served = pipeline();
        Admit(served, context, request.Name, request.Version);
        return Task.FromResult(new ModelReadyResponse { Ready = served.IsReady });
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var served = pipeline();
        Admit(served, context, request.Name, request.Version);
        var model = served.Service.Model;
        return Task.FromResult(GrpcInferResponseWriter.WriteMetadata(served.Identity, model.Inputs, model.Outputs));
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var served = pipeline();
        context.GetHttpContext().Items[Counted] = true;
        var model = served.Service.Model;
        var call = new InferCall(ServingMetrics.Grpc, Authorization(context), request.ModelName, Version(request.ModelVersion));
        var outcome = await served.InferAsync(call, (request, model),
            static (state, _) => ValueTask.FromResult(GrpcInferRequestReader.Read(state.request, state.model.Inputs, state.model.Outputs)), context.CancellationToken);
        if (outcome.Error is { } error)
        {
            throw Failure(error);
        }
        return GrpcInferResponseWriter.WriteResult(served.Identity, outcome.Result!, raw: request.RawInputContents.Count > 0);
    }

    private static void Admit(InferencePipeline served, ServerCallContext context, string name, string version)
    {
        if (served.Admit(Authorization(context), name, Version(version)) is { } error)
        {
            throw Failure(error);
        }
    }

    private static string? Authorization(ServerCallContext context) => context.RequestHeaders.GetValue("authorization");

    // The protocol's empty version means "whichever is served", as REST's route without /versions/.
    private static string? Version(string version) => version.Length == 0 ? null : version;

    private static RpcException Failure(ProtocolError error) => new(new Status(GrpcStatusMapping.ToGrpc(error.Status), error.Message));
}
