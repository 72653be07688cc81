# Builtin trainer image: runs `gitops train`, which reads the trainer contract's GITOPS_* environment
# variables (docs/training.md) and writes model.onnx, metrics.json and lineage.json to GITOPS_OUTPUT_DIR.
# Build from the repository root:  docker build -f platform/deploy/trainer.Dockerfile -t gitops-trainer .

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY platform/ platform/
RUN dotnet publish platform/GitOps.Cli/GitOps.Cli.csproj -c Release -r linux-x64 -p:PublishSingleFile=true \
      -p:IncludeNativeLibrariesForSelfExtract=false -p:DebugType=none -o /out \
 # Training never loads ONNX Runtime; drop its native libraries (several hundred MB of CUDA kernels).
 && rm -f /out/libonnxruntime*.so* /out/libonnxruntime_providers_*.so

# runtime-deps carries only what a self-contained .NET app needs; LightGBM and FastTree need OpenMP.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out /app
# A training Job mounts an empty, writable /output; the trainer fetches GITOPS_DATASET_URI and publishes the
# output to GITOPS_ARTIFACT_URI (docs/training.md). The Job sets command and args itself.
ENV GITOPS_OUTPUT_DIR=/output \
    DOTNET_gcServer=0
USER 65532:65532
WORKDIR /tmp
# Exit codes: 0 outputs written, 1 training failed (may be retried), 2 invalid inputs (not retried).
ENTRYPOINT ["/app/gitops", "train"]
