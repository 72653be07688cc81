using Grpc.Core;

namespace GitOps.Serving.Protocol.Grpc;

/// <summary>
/// HTTP statuses (how the pipeline says what went wrong, and the <c>code</c> label of the request metrics) and the
/// gRPC status codes KServe answers with for the same cases.
/// </summary>
public static class GrpcStatusMapping
{
    public static StatusCode ToGrpc(int httpStatus) => httpStatus switch
    {
        200 => StatusCode.OK,
        400 => StatusCode.InvalidArgument,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.NotFound,
        // Too large a message and too many concurrent requests: both a resource the client exhausted.
        413 or 429 => StatusCode.ResourceExhausted,
        499 => StatusCode.Cancelled,
        501 => StatusCode.Unimplemented,
        503 => StatusCode.Unavailable,
        504 => StatusCode.DeadlineExceeded,
        _ => httpStatus is >= 400 and < 500 ? StatusCode.FailedPrecondition : StatusCode.Internal,
    };

    /// <summary>The HTTP status a gRPC status is counted as; RESOURCE_EXHAUSTED from the framework is an oversize message.</summary>
    public static int ToHttp(StatusCode status) => status switch
    {
        StatusCode.OK => 200,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => 400,
        StatusCode.Unauthenticated => 401,
        StatusCode.PermissionDenied => 403,
        StatusCode.NotFound => 404,
        StatusCode.ResourceExhausted => 413,
        StatusCode.Cancelled => 499,
        StatusCode.Unimplemented => 501,
        StatusCode.Unavailable => 503,
        StatusCode.DeadlineExceeded => 504,
        _ => 500,
    };
}
