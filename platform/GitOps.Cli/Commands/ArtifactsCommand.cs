using System.CommandLine;
using GitOps.Cli.Conventions;
using GitOps.Specs.Contracts;
using GitOps.Training.Artifacts;

namespace GitOps.Cli.Commands;

/// <summary>
/// <c>gitops artifacts fetch</c> (what a serving pod's init container runs) and <c>gitops artifacts push</c>
/// (publish a training output directory): file:// or plain paths, http://, https:// and s3://.
/// </summary>
public static class ArtifactsCommand
{
    public static Command Create()
    {
        var command = new Command("artifacts", "Fetch and publish model artifacts (file://, plain paths, http://, https://, s3://)");
        command.Subcommands.Add(CreateFetch());
        command.Subcommands.Add(CreatePush());
        return command;
    }

    private static Command CreateFetch()
    {
        var uri = new Option<string>("--uri") { Description = "Artifact to fetch: a path, file://, http://, https:// or s3:// URI", Required = true };
        var output = new Option<string>("--out") { Description = "File to write (replaced atomically)", Required = true };
        var sha = new Option<string?>("--sha256") { Description = "Expected sha256 (hex); a mismatch exits 2 and leaves no file" };
        var command = new Command("fetch", $"Download one artifact (bearer token for http(s) from the file in env {TrainingContract.ArtifactsTokenFile}, else env {TrainingContract.ArtifactsToken})") { uri, output, sha };
        command.WithExamples(("gitops artifacts fetch --uri https://artifacts.example.com/prod/fraud/9a75b5701b77/model.onnx --out model.onnx --sha256 HEX", "download one file, checking its digest"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var (token, tokenError) = ArtifactsToken.Read(CliEnvironment.Current.Variable);
            if (tokenError is not null)
            {
                await parse.Err().WriteLineAsync($"error: {tokenError}");
                return (int)ExitCode.Usage;
            }
            using var http = NewClient();
            var outcome = await new ArtifactTransfer(http, token, CliEnvironment.Current.Variable).FetchAsync(parse.GetValue(uri)!, parse.GetValue(output)!, parse.GetValue(sha), ct);
            if (!outcome.Succeeded)
            {
                await parse.Err().WriteLineAsync($"error: {outcome.Error}");
                return (int)outcome.ExitCode;
            }
            await parse.Out().WriteLineAsync($"Fetched {parse.GetValue(uri)} to {outcome.Written[0]} (sha256 {outcome.Sha256})");
            var source = parse.GetValue(uri)!;
            if (source.EndsWith("/" + TrainingContract.ModelFile, StringComparison.Ordinal))
            {
                // A model's training profile travels with it, so the server can measure drift; versions trained before
                // profiles existed have none.
                var profileUri = source[..^TrainingContract.ModelFile.Length] + TrainingProfile.File;
                var profileFile = Path.Combine(Path.GetDirectoryName(outcome.Written[0])!, TrainingProfile.File);
                var profile = await new ArtifactTransfer(http, token, CliEnvironment.Current.Variable).FetchAsync(profileUri, profileFile, null, ct);
                await (profile.Succeeded
                    ? parse.Out().WriteLineAsync($"Fetched {profileUri} to {profileFile}")
                    : profile.ExitCode == ExitCode.Findings
                        ? parse.Out().WriteLineAsync($"No training profile at {profileUri}: the server will measure no drift")
                        : parse.Err().WriteLineAsync($"warning: the training profile could not be fetched, so the server will measure no drift: {profile.Error}"));
            }
            return (int)ExitCode.Success;
        });
        return command;
    }

    private static Command CreatePush()
    {
        var from = new Option<string>("--from") { Description = "Directory to publish (e.g. a training output directory)", Required = true };
        var uri = new Option<string>("--uri") { Description = "Destination folder: a path, file://, http://, https:// or s3:// URI (one PUT per file)", Required = true };
        var command = new Command("push", $"Publish every file of a directory (bearer token for http(s) from the file in env {TrainingContract.ArtifactsTokenFile}, else env {TrainingContract.ArtifactsToken})") { from, uri };
        command.WithExamples(("gitops artifacts push --from artifacts/fraud-example/model --uri file:///mnt/artifacts/fraud/dev", "publish a training output folder"));
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var (token, tokenError) = ArtifactsToken.Read(CliEnvironment.Current.Variable);
            if (tokenError is not null)
            {
                await parse.Err().WriteLineAsync($"error: {tokenError}");
                return (int)ExitCode.Usage;
            }
            using var http = NewClient();
            var outcome = await new ArtifactTransfer(http, token, CliEnvironment.Current.Variable).PushAsync(parse.GetValue(from)!, parse.GetValue(uri)!, ct);
            if (!outcome.Succeeded)
            {
                await parse.Err().WriteLineAsync($"error: {outcome.Error}");
                return (int)outcome.ExitCode;
            }
            foreach (var written in outcome.Written)
            {
                await parse.Out().WriteLineAsync($"Published {written}");
            }
            return (int)ExitCode.Success;
        });
        return command;
    }

    private static HttpClient NewClient() => new() { Timeout = TimeSpan.FromMinutes(30) };
}
