using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Rendering;
using GitOps.Planning.Security;
using GitOps.Specs;
using GitOps.Specs.Contracts;
using GitOps.Specs.Model;
using GitOps.Testing.Golden;

namespace GitOps.Planning.Tests.Security;

public sealed class PodSecurityRenderTests
{
    private static readonly RenderContext Commit = new("3f1c2a9");

    private static readonly Lazy<SpecSet> Examples = new(() =>
    {
        var load = SpecValidator.Validate(SpecFileReader.Read(RepositoryPaths.Root));
        Assert.Empty(load.Diagnostics.Where(d => d.IsError));
        return load.Specs;
    });

    /// <summary>What is deployed before the render: nothing (training), a stable version, or a stable and a canary.</summary>
    public enum Phase { Training, Stable, Canary }

    public static TheoryData<string, Phase> EveryEnvironmentAndPhase()
    {
        var data = new TheoryData<string, Phase>();
        foreach (var env in new[] { "dev", "staging", "prod", "local" })
        {
            foreach (var phase in Enum.GetValues<Phase>())
            {
                data.Add(env, phase);
            }
        }
        return data;
    }

    private static RegistryFacts Facts(SpecSet specs, string env, Phase phase)
    {
        var facts = RegistryFacts.Empty;
        if (phase == Phase.Training)
        {
            return facts;
        }
        foreach (var model in specs.Models.Where(m => m.Spec.Environments.Contains(env)))
        {
            var version = ModelVersions.Compute(model, specs.Environment(env)!);
            facts = phase == Phase.Stable
                ? facts.WithTrained(model.Name, version).WithDeployment(model.Name, env, new DeploymentFacts(version, null))
                : facts.WithTrained(model.Name, version).WithTrained(model.Name, "0123456789ab")
                    .WithDeployment(model.Name, env, new DeploymentFacts("0123456789ab", new CanaryFacts(version, 25)));
        }
        return facts;
    }

    private static IEnumerable<(JsonObject Object, JsonObject Template)> PodTemplates(RenderResult result) =>
        result.Objects.Select(o => (o, PodSecurityAdmission.PodTemplate(o))).Where(p => p.Item2 is not null).Select(p => (p.o, p.Item2!));

    public sealed class TheRenderMethod
    {
        [Theory]
        [MemberData(nameof(EveryEnvironmentAndPhase), MemberType = typeof(PodSecurityRenderTests))]
        public void Should_Render_Restricted_Pods_When_Rendering_Every_Example_Environment(string env, Phase phase)
        {
            // Given
            var specs = Examples.Value;

            // When
            var result = Renderer.Render(specs, env, Facts(specs, env, phase), Commit);

            // Then
            Assert.Empty(result.Diagnostics);
            var templates = PodTemplates(result).ToList();
            var expectedKinds = phase == Phase.Training ? new[] { "Job" } : ["Deployment", "CronJob"];
            // An environment that receives versions by promotion may never train.
            if (phase != Phase.Training || specs.Environment(env)!.Spec.Promotion is null)
            {
                Assert.NotEmpty(templates);
            }
            Assert.All(templates, t => Assert.Contains(t.Object["kind"]!.ToString(), expectedKinds));
            // dev and local ship with the direct rollout policy: no canary there.
            if (phase == Phase.Canary && env is not ("dev" or "local"))
            {
                Assert.Contains(templates, t => ObjectKeys.Label(t.Object, ManagedLabels.Track) == ModelRenderer.TrackCanary);
            }
            foreach (var (obj, template) in templates)
            {
                var pod = template["spec"]!;
                Assert.False(pod["automountServiceAccountToken"]!.GetValue<bool>());
                var sc = pod["securityContext"]!;
                Assert.True(sc["runAsNonRoot"]!.GetValue<bool>());
                Assert.Equal(PodSecurity.NonRootUser, sc["runAsUser"]!.GetValue<long>());
                Assert.Equal(PodSecurity.NonRootUser, sc["runAsGroup"]!.GetValue<long>());
                Assert.Equal("RuntimeDefault", sc["seccompProfile"]!["type"]!.ToString());
                var containers = (pod["initContainers"]?.AsArray() ?? []).Concat(pod["containers"]!.AsArray()).ToList();
                Assert.NotEmpty(containers);
                foreach (var container in containers)
                {
                    var csc = container!["securityContext"]!;
                    Assert.False(csc["allowPrivilegeEscalation"]!.GetValue<bool>());
                    Assert.True(csc["readOnlyRootFilesystem"]!.GetValue<bool>());
                    Assert.Equal(["ALL"], csc["capabilities"]!["drop"]!.AsArray().Select(c => c!.ToString()));
                    Assert.Contains(container["volumeMounts"]!.AsArray(), m => m!["mountPath"]!.ToString() == PodSecurity.TmpPath);
                }
                Assert.All(pod["volumes"]!.AsArray(), v => Assert.True(v!["emptyDir"] is not null || v["configMap"] is not null || v["secret"] is not null,
                    $"{obj["metadata"]!["name"]}: volume {v["name"]} is neither emptyDir, configMap nor secret"));
                Assert.Empty(PodSecurityAdmission.Check(obj, PodSecurityLevels.Restricted));
            }
        }

        [Fact]
        public void Should_Give_Every_Writable_Path_Of_The_Trainer_And_Server_An_EmptyDir()
        {
            // Given
            var specs = Examples.Value;

            // When
            var training = Renderer.Render(specs, "staging", Facts(specs, "staging", Phase.Training), Commit);
            var serving = Renderer.Render(specs, "staging", Facts(specs, "staging", Phase.Stable), Commit);

            // Then
            foreach (var (_, template) in PodTemplates(training).Concat(PodTemplates(serving)))
            {
                var pod = template["spec"]!;
                var emptyDirs = pod["volumes"]!.AsArray().Where(v => v!["emptyDir"] is not null).Select(v => v!["name"]!.ToString()).ToHashSet();
                foreach (var container in (pod["initContainers"]?.AsArray() ?? []).Concat(pod["containers"]!.AsArray()))
                {
                    var writable = container!["volumeMounts"]!.AsArray()
                        .Where(m => m!["readOnly"]?.GetValue<bool>() != true)
                        .Select(m => m!["name"]!.ToString());
                    Assert.All(writable, name => Assert.Contains(name, emptyDirs));
                }
            }
        }

        [Fact]
        public void Should_Run_A_Root_Trainer_As_Root_Within_Baseline_When_The_Environment_Allows_It()
        {
            // Given: the example custom trainer says it needs root; staging is relaxed to baseline.
            var specs = RootTrainer(PodSecurityLevels.Baseline);

            // When
            var result = Renderer.Render(specs, "staging", RegistryFacts.Empty, Commit);

            // Then
            Assert.Empty(result.Diagnostics);
            var job = result.Objects.Single(o => o["kind"]!.ToString() == "Job" && ObjectKeys.Label(o, ManagedLabels.Model) == "ticket-classifier");
            var pod = job["spec"]!["template"]!["spec"]!;
            Assert.Equal(0, pod["securityContext"]!["runAsUser"]!.GetValue<long>());
            Assert.False(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
            Assert.False(pod["containers"]![0]!["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
            Assert.Empty(PodSecurityAdmission.Check(job, PodSecurityLevels.Baseline));
            Assert.Equal(["runAsNonRoot", "runAsUser", "capabilities_restricted"],
                PodSecurityAdmission.Check(job, PodSecurityLevels.Restricted).Select(v => v.Check));
        }

        [Fact]
        public void Should_Report_GITOPS0620_When_A_Rendered_Pod_Breaks_The_Environment_Level()
        {
            // Given: validation would refuse this (GITOPS0408); render still checks what it draws.
            var specs = RootTrainer(PodSecurityLevels.Restricted);

            // When
            var result = Renderer.Render(specs, "staging", RegistryFacts.Empty, Commit);

            // Then
            Assert.NotEmpty(result.Diagnostics);
            Assert.All(result.Diagnostics, d => Assert.Equal(PlanningDiagnostics.PodSecurityViolation, d.Id));
            Assert.Contains(result.Diagnostics, d => d.Message.Contains("(runAsUser): runAsUser=0", StringComparison.Ordinal));
            Assert.All(result.Diagnostics, d => Assert.StartsWith("models/ticket-classifier/", d.Span.File, StringComparison.Ordinal));
        }

        private static SpecSet RootTrainer(string level)
        {
            var specs = Examples.Value;
            return SpecSet.From(specs.All.Select(s => s switch
            {
                ModelSpec { Name: "ticket-classifier" } m => m with
                {
                    Spec = m.Spec with { Training = m.Spec.Training with { SecurityContext = new TrainerSecurity(true) } },
                },
                EnvironmentSpec { Name: "staging" } e => e with { Spec = e.Spec with { PodSecurity = level } },
                _ => s,
            }));
        }
    }

    public sealed class TheServingToken
    {
        [Fact]
        public void Should_Mount_The_Secret_As_A_File_And_Pass_Only_Its_Path_When_The_Environment_Requires_A_Token()
        {
            // Given: prod requires a token from Secret model-serving-token.
            var specs = Examples.Value;

            // When
            var result = Renderer.Render(specs, "prod", Facts(specs, "prod", Phase.Canary), Commit);

            // Then
            var deployments = result.Objects.Where(o => o["kind"]!.ToString() == "Deployment").ToList();
            Assert.NotEmpty(deployments);
            foreach (var deployment in deployments)
            {
                var pod = deployment["spec"]!["template"]!["spec"]!;
                var volume = pod["volumes"]!.AsArray().Single(v => v!["name"]!.ToString() == ServingToken.VolumeName)!;
                Assert.Equal("model-serving-token", volume["secret"]!["secretName"]!.ToString());
                Assert.Equal("token", volume["secret"]!["items"]![0]!["key"]!.ToString());
                var server = pod["containers"]![0]!;
                var args = server["args"]!.AsArray().Select(a => a!.ToString()).ToList();
                Assert.Equal($"{ServingToken.MountPath}/{ServingToken.FileName}", args[args.IndexOf(ServingToken.ServerOption) + 1]);
                Assert.Contains(server["volumeMounts"]!.AsArray(), m => m!["name"]!.ToString() == ServingToken.VolumeName && m["readOnly"]!.GetValue<bool>());
                Assert.Null(server["env"]);
                Assert.DoesNotContain(pod["initContainers"]![0]!["volumeMounts"]!.AsArray(), m => m!["name"]!.ToString() == ServingToken.VolumeName);
            }
        }

        [Fact]
        public void Should_Leave_The_Server_Open_When_The_Environment_Requires_No_Token()
        {
            // Given
            var specs = Examples.Value;

            // When
            var result = Renderer.Render(specs, "staging", Facts(specs, "staging", Phase.Stable), Commit);

            // Then
            Assert.All(result.Objects.Where(o => o["kind"]!.ToString() == "Deployment"), d =>
                Assert.DoesNotContain(ServingToken.ServerOption, d["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.ToString())));
        }
    }

    public sealed class TheArtifactToken
    {
        [Theory]
        [InlineData(Phase.Training)]
        [InlineData(Phase.Canary)]
        public void Should_Mount_The_Secret_Into_The_Trainer_And_Model_Fetch_And_Name_Only_Its_Path_When_The_Store_Needs_A_Token(Phase phase)
        {
            // Given: staging's store takes a token from Secret artifact-store-token.
            var specs = Examples.Value;

            // When
            var result = Renderer.Render(specs, "staging", Facts(specs, "staging", phase), Commit);

            // Then
            var templates = PodTemplates(result).ToList();
            Assert.NotEmpty(templates);
            foreach (var (obj, template) in templates)
            {
                var pod = template["spec"]!;
                var volume = pod["volumes"]!.AsArray().Single(v => v!["name"]!.ToString() == ArtifactToken.VolumeName)!;
                Assert.Equal("artifact-store-token", volume["secret"]!["secretName"]!.ToString());
                Assert.Equal("token", volume["secret"]!["items"]![0]!["key"]!.ToString());
                Assert.Equal(SecretFiles.FileMode, volume["secret"]!["defaultMode"]!.GetValue<int>());
                // The trainer and the model fetch talk to the store; the server never does.
                var storeClients = obj["kind"]!.ToString() == "Job" ? pod["containers"]!.AsArray() : pod["initContainers"]!.AsArray();
                foreach (var container in storeClients)
                {
                    Assert.Contains(container!["volumeMounts"]!.AsArray(), m => m!["name"]!.ToString() == ArtifactToken.VolumeName && m["readOnly"]!.GetValue<bool>());
                    var variable = container["env"]!.AsArray().Single(e => e!["name"]!.ToString() == TrainingContract.ArtifactsTokenFile)!;
                    Assert.Equal($"{ArtifactToken.MountPath}/{ArtifactToken.FileName}", variable["value"]!.ToString());
                    Assert.DoesNotContain(container["env"]!.AsArray(), e => e!["name"]!.ToString() == TrainingContract.ArtifactsToken);
                }
                if (obj["kind"]!.ToString() == "Deployment")
                {
                    Assert.DoesNotContain(pod["containers"]![0]!["volumeMounts"]!.AsArray(), m => m!["name"]!.ToString() == ArtifactToken.VolumeName);
                }
                Assert.Empty(PodSecurityAdmission.Check(obj, PodSecurityLevels.Restricted));
            }
        }

        [Theory]
        [InlineData(Phase.Training)]
        [InlineData(Phase.Canary)]
        public void Should_Give_The_Store_Clients_Region_Endpoint_And_Path_Style_When_The_Store_Is_S3(Phase phase)
        {
            // Given: dev's store is an S3-compatible bucket.
            var specs = Examples.Value;
            specs = specs with
            {
                Environments = [.. specs.Environments.Select(e => e.Name != "dev" ? e : e with
                {
                    Spec = e.Spec with { Artifacts = new ArtifactStore("s3://ml-artifacts/dev", null, new S3Endpoint("eu-west-1", "https://minio.storage:9000", true)) },
                })],
            };

            // When
            var result = Renderer.Render(specs, "dev", Facts(specs, "dev", phase), Commit);

            // Then
            var templates = PodTemplates(result).ToList();
            Assert.NotEmpty(templates);
            foreach (var (obj, template) in templates)
            {
                var pod = template["spec"]!;
                var storeClients = obj["kind"]!.ToString() == "Job" ? pod["containers"]!.AsArray() : pod["initContainers"]!.AsArray();
                foreach (var container in storeClients)
                {
                    var env = container!["env"]!.AsArray().ToDictionary(e => e!["name"]!.ToString(), e => e!["value"]?.ToString());
                    Assert.Equal("eu-west-1", env[TrainingContract.S3Region]);
                    Assert.Equal("https://minio.storage:9000", env[TrainingContract.S3Endpoint]);
                    Assert.Equal("true", env[TrainingContract.S3ForcePathStyle]);
                    Assert.DoesNotContain("AWS_SECRET_ACCESS_KEY", env.Keys);
                }
                if (obj["kind"]!.ToString() == "Deployment")
                {
                    Assert.DoesNotContain(TrainingContract.S3Region, pod["containers"]![0]!.ToJsonString());
                }
            }
        }

        [Fact]
        public void Should_Mount_No_Token_When_The_Store_Takes_None()
        {
            // Given: dev's store takes no token.
            var specs = Examples.Value;

            // When
            var training = Renderer.Render(specs, "dev", Facts(specs, "dev", Phase.Training), Commit);
            var serving = Renderer.Render(specs, "dev", Facts(specs, "dev", Phase.Stable), Commit);

            // Then
            var text = string.Join("\n", training.Objects.Concat(serving.Objects).Select(o => o.ToJsonString()));
            Assert.DoesNotContain(ArtifactToken.VolumeName, text);
            Assert.DoesNotContain(TrainingContract.ArtifactsTokenFile, text);
        }
    }

    public sealed class TheImages
    {
        [Theory]
        [InlineData("server.Dockerfile")]
        [InlineData("trainer.Dockerfile")]
        public void Should_Run_As_The_User_The_Rendered_Pods_Run_As(string dockerfile)
        {
            // Given
            var lines = File.ReadAllLines(RepositoryPaths.Combine("platform", "deploy", dockerfile));

            // When
            var user = lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Trim();

            // Then
            Assert.Equal($"{PodSecurity.NonRootUser}:{PodSecurity.NonRootUser}", user);
        }
    }
}
