// Build entry point: dotnet tool restore && dotnet cake build/build.cake --target=<Target>
// Targets: Clean, Build, Test, Validate, Plan, Up, Bench, Pack, Publish, Default (= Build + Test).

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var env = Argument("env", "prod");
var benchFilter = Argument("bench", "validate");
var runtime = Argument("runtime", "linux-x64");

var root = MakeAbsolute(Directory(".."));
var solution = root.CombineWithFilePath("GitOps.sln");
var cli = root.CombineWithFilePath("platform/GitOps.Cli/GitOps.Cli.csproj");
var bench = root.CombineWithFilePath("tests/GitOps.Benchmarks/GitOps.Benchmarks.csproj");

Task("Clean")
    .Does(() =>
{
    CleanDirectories(root + "/platform/**/bin");
    CleanDirectories(root + "/platform/**/obj");
    CleanDirectories(root + "/tests/**/bin");
    CleanDirectories(root + "/tests/**/obj");
    CleanDirectory(root + "/artifacts");
});

Task("Build")
    .Does(() =>
{
    DotNetBuild(solution.FullPath, new DotNetBuildSettings { Configuration = configuration });
});

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetTest(solution.FullPath, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        Loggers = { "trx" },
        ResultsDirectory = root + "/artifacts/test-results",
    });
});

Task("Validate")
    .Description("Runs 'gitops validate' on this repository.")
    .Does(() =>
{
    DotNetRun(cli.FullPath, new ProcessArgumentBuilder().Append("validate").AppendQuoted(root.FullPath),
        new DotNetRunSettings { Configuration = configuration });
});

Task("Plan")
    .Description("Runs 'gitops plan --all' on this repository (no live state: a first deploy).")
    .Does(() =>
{
    DotNetRun(cli.FullPath, new ProcessArgumentBuilder().Append("plan").Append("--all").Append("--repo").AppendQuoted(root.FullPath),
        new DotNetRunSettings { Configuration = configuration });
});

Task("Up")
    .Description("Runs 'gitops up' on this repository: the local environment on this machine until Ctrl+C (--listen=HOST:PORT).")
    .Does(() =>
{
    var arguments = new ProcessArgumentBuilder().Append("up").AppendQuoted(root.FullPath);
    if (HasArgument("listen"))
    {
        arguments.Append("--listen").Append(Argument<string>("listen"));
    }
    DotNetRun(cli.FullPath, arguments, new DotNetRunSettings { Configuration = configuration });
});

Task("Bench")
    .Description("Runs the benchmark harness; --bench=validate|plan|plan-phases|plan-process|serving|reconcile selects a suite.")
    .Does(() =>
{
    DotNetRun(bench.FullPath, new ProcessArgumentBuilder().Append(benchFilter),
        new DotNetRunSettings { Configuration = "Release" });
});

Task("Pack")
    .Description("Packs the gitops command as a .NET tool: artifacts/packages/GitOps.Ml.Cli.<version>.nupkg and one precompiled package per platform beside it (docs/install.md). About 4 minutes on two cores.")
    .Does(() =>
{
    DotNetPack(cli.FullPath, new DotNetPackSettings
    {
        Configuration = "Release",
        OutputDirectory = root + "/artifacts/packages",
        MSBuildSettings = new DotNetMSBuildSettings().WithProperty("ToolPackagePerPlatform", "true"),
    });
});

Task("Publish")
    .Description("Publishes gitops as one self-contained ReadyToRun executable: artifacts/publish/<runtime>/gitops (--runtime=linux-x64|linux-arm64|win-x64|osx-arm64).")
    .Does(() =>
{
    DotNetPublish(cli.FullPath, new DotNetPublishSettings
    {
        Configuration = "Release",
        Runtime = runtime,
        OutputDirectory = root + "/artifacts/publish/" + runtime,
        MSBuildSettings = new DotNetMSBuildSettings().WithProperty("PublishSingleFile", "true"),
    });
});

Task("PublishNative")
    .Description("Publishes gitops compiled ahead of time to native code, for CI checks (validate, plan, render...): artifacts/publish-native/<runtime>/gitops, the native libraries beside it. Several minutes on two cores; docs/install.md lists the commands it runs.")
    .Does(() =>
{
    DotNetPublish(cli.FullPath, new DotNetPublishSettings
    {
        Configuration = "Release",
        Runtime = runtime,
        OutputDirectory = root + "/artifacts/publish-native/" + runtime,
        MSBuildSettings = new DotNetMSBuildSettings()
            .WithProperty("PublishAot", "true")
            // The trim and AOT analysis warnings name the commands the native build refuses (NativeBuild.Commands).
            .WithProperty("TreatWarningsAsErrors", "false")
            .WithProperty("DebugType", "none"),
    });
});

Task("Default")
    .IsDependentOn("Build")
    .IsDependentOn("Test");

RunTarget(target);
