using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Planning.Formatting;
using GitOps.Planning.Rendering;
using GitOps.Planning.Tests.Support;
using GitOps.Specs.Contracts;
using GitOps.Specs.Kubernetes;
using GitOps.Specs.Model;
using k8s;
using k8s.Models;

namespace GitOps.Planning.Tests.Rendering;

public sealed class RendererTests
{
    private static readonly RenderContext Commit = new("3f1c2a9");

    private static JsonObject Find(RenderResult r, string kind, string name) =>
        r.Objects.Single(o => o["kind"]!.ToString() == kind && o["metadata"]!["name"]!.ToString() == name);

    private static RegistryFacts Served(SpecSet specs, string model, string env, string? canary = null, int weight = 0)
    {
        var version = ModelVersions.Compute(specs.Model(model)!, specs.Environment(env)!);
        var facts = RegistryFacts.Empty.WithTrained(model, version);
        if (canary is null)
        {
            return facts.WithDeployment(model, env, new DeploymentFacts(version, null));
        }
        return facts.WithTrained(model, canary).WithDeployment(model, env, new DeploymentFacts(canary, new CanaryFacts(version, weight)));
    }

    public sealed class TheRenderMethod
    {
        [Fact]
        public void Should_Render_Training_Job_When_Version_Has_No_Artifact()
        {
            // Given
            var specs = TestSpecs.Repository();

            // When
            var result = Renderer.Render(specs, "staging", RegistryFacts.Empty, Commit);

            // Then
            Assert.Empty(result.Diagnostics);
            var jobs = result.Objects.Where(o => o["kind"]!.ToString() == "Job").ToList();
            Assert.Equal(2, jobs.Count);
            Assert.DoesNotContain(result.Objects, o => o["kind"]!.ToString() == "Deployment");
            var fraud = result.Models.Single(m => m.Model == "fraud-detector");
            Assert.NotNull(fraud.Training);
            Assert.Null(fraud.StableVersion);
        }

        [Fact]
        public void Should_Apply_Gpu_Pool_As_Limits_NodeSelector_And_Tolerations()
        {
            // Given
            var specs = TestSpecs.Repository();

            // When
            var result = Renderer.Render(specs, "staging", RegistryFacts.Empty, Commit);

            // Then
            var job = result.Objects.Single(o => o["kind"]!.ToString() == "Job" && ObjectKeys.Label(o, ManagedLabels.Model) == "fraud-detector");
            var pod = job["spec"]!["template"]!["spec"]!;
            Assert.Equal("1", pod["containers"]![0]!["resources"]!["limits"]!["nvidia.com/gpu"]!.ToString());
            Assert.Equal("nvidia-tesla-a100", pod["nodeSelector"]!["cloud.google.com/gke-accelerator"]!.ToString());
            Assert.Equal("nvidia.com/gpu", pod["tolerations"]![0]!["key"]!.ToString());
            Assert.Equal(2, job["spec"]!["backoffLimit"]!.GetValue<int>());
            Assert.Equal(7200, job["spec"]!["activeDeadlineSeconds"]!.GetValue<long>());
            var training = result.Models.Single(m => m.Model == "fraud-detector").Training!;
            Assert.Equal(2m, training.GpuHours);
            Assert.Equal(7.34m, training.EstimatedCost);
        }

        [Fact]
        public void Should_Pass_The_Training_Contract_As_Environment_Variables()
        {
            // Given
            var specs = TestSpecs.Repository();
            var version = ModelVersions.Compute(specs.Model("fraud-detector")!, specs.Environment("staging")!);

            // When
            var result = Renderer.Render(specs, "staging", RegistryFacts.Empty, Commit);

            // Then
            var job = result.Objects.Single(o => o["kind"]!.ToString() == "Job" && ObjectKeys.Label(o, ManagedLabels.Model) == "fraud-detector");
            var env = job["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
                .ToDictionary(e => e!["name"]!.ToString(), e => e!["value"]!.ToString());
            Assert.Equal("{\"learningRate\":0.1,\"numberOfTrees\":200}", env["GITOPS_HYPERPARAMETERS"]);
            Assert.Equal(version, env["GITOPS_MODEL_VERSION"]);
            Assert.Equal("/output", env[TrainingContract.OutputDir]);
            Assert.Equal($"https://artifacts.ml.example.com/fraud-detector/{version}", env[TrainingContract.ArtifactUri]);
            Assert.Equal("fraud-detector", env[TrainingContract.ModelName]);
            Assert.Equal(specs.Model("fraud-detector")!.Spec.Training.Dataset.Uri, env[TrainingContract.DatasetUri]);
            Assert.Equal("42", env["GITOPS_SEED"]);
            var container = job["spec"]!["template"]!["spec"]!["containers"]![0]!;
            Assert.Equal(ModelVersions.DefaultTrainerImage, container["image"]!.ToString());
            Assert.Equal(["/app/gitops"], container["command"]!.AsArray().Select(a => a!.ToString()));
            Assert.Equal(["train"], container["args"]!.AsArray().Select(a => a!.ToString()));
            Assert.Equal("/output", container["volumeMounts"]![0]!["mountPath"]!.ToString());
        }

        [Fact]
        public void Should_Render_Serving_Objects_When_Version_Is_Trained()
        {
            // Given
            var specs = TestSpecs.Repository();
            var facts = Served(specs, "fraud-detector", "staging");

            // When
            var result = Renderer.Render(specs, "staging", facts, Commit);

            // Then
            var kinds = result.Objects.Where(o => ObjectKeys.Label(o, ManagedLabels.Model) == "fraud-detector")
                .Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}").ToList();
            Assert.Equal(
                ["ConfigMap/fraud-detector-model", "Deployment/fraud-detector-stable", "HTTPRoute/fraud-detector",
                 "PodDisruptionBudget/fraud-detector", "Service/fraud-detector", "Service/fraud-detector-stable"],
                kinds);
            var route = Find(result, "HTTPRoute", "fraud-detector");
            Assert.Equal(100, route["spec"]!["rules"]![0]!["backendRefs"]![0]!["weight"]!.GetValue<int>());
            var args = Find(result, "Deployment", "fraud-detector-stable")["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!
                .AsArray().Select(a => a!.ToString()).ToList();
            Assert.Equal(["serve", "--model", "/models/model.onnx", "--name", "fraud-detector"], args.Take(5));
            Assert.Contains("--max-batch-size", args);
        }

        [Fact]
        public void Should_Run_The_Gitops_Executable_Listening_On_All_Interfaces_In_Serving_Pods()
        {
            // Given
            var specs = TestSpecs.Repository();
            var facts = Served(specs, "fraud-detector", "staging");
            var version = ModelVersions.Compute(specs.Model("fraud-detector")!, specs.Environment("staging")!);

            // When
            var result = Renderer.Render(specs, "staging", facts, Commit);

            // Then
            var pod = Find(result, "Deployment", "fraud-detector-stable")["spec"]!["template"]!["spec"]!;
            var server = pod["containers"]![0]!;
            var args = server["args"]!.AsArray().Select(a => a!.ToString()).ToList();
            Assert.Equal(["/app/gitops"], server["command"]!.AsArray().Select(a => a!.ToString()));
            Assert.Equal("serve", args[0]);
            Assert.Equal("0.0.0.0", args[args.IndexOf("--host") + 1]);
            Assert.Equal("5", args[args.IndexOf("--max-batch-delay") + 1]);
            var init = pod["initContainers"]![0]!;
            Assert.Equal(["/app/gitops"], init["command"]!.AsArray().Select(a => a!.ToString()));
            Assert.Equal(
                ["artifacts", "fetch", "--uri", $"https://artifacts.ml.example.com/fraud-detector/{version}/model.onnx", "--out", "/models/model.onnx"],
                init["args"]!.AsArray().Select(a => a!.ToString()));
        }

        [Fact]
        public void Should_Never_Select_Training_Pods_From_A_Service_Or_Disruption_Budget()
        {
            // Given: a served version while a new one trains
            var specs = TestSpecs.Repository();
            var facts = RegistryFacts.Empty.WithTrained("fraud-detector", "0123456789ab")
                .WithDeployment("fraud-detector", "staging", new DeploymentFacts("0123456789ab", null));

            // When
            var result = Renderer.Render(specs, "staging", facts, Commit);

            // Then
            var trainingPod = (JsonObject)result.Objects.Single(o => o["kind"]!.ToString() == "Job" && ObjectKeys.Label(o, ManagedLabels.Model) == "fraud-detector")
                ["spec"]!["template"]!["metadata"]!["labels"]!;
            var servingPod = (JsonObject)Find(result, "Deployment", "fraud-detector-stable")["spec"]!["template"]!["metadata"]!["labels"]!;
            var selectors = result.Objects.Where(o => o["kind"]!.ToString() == "Service" && ObjectKeys.Label(o, ManagedLabels.Model) == "fraud-detector")
                .Select(o => (JsonObject)o["spec"]!["selector"]!)
                .Append((JsonObject)Find(result, "PodDisruptionBudget", "fraud-detector")["spec"]!["selector"]!["matchLabels"]!)
                .ToList();
            Assert.Equal(3, selectors.Count);
            static bool Matches(JsonObject selector, JsonObject labels) => selector.All(p => labels[p.Key]?.ToString() == p.Value!.ToString());
            Assert.All(selectors, s => Assert.False(Matches(s, trainingPod)));
            Assert.Contains(selectors, s => Matches(s, servingPod));
        }

        [Fact]
        public void Should_Render_Canary_And_Weighted_Route_While_Rollout_In_Progress()
        {
            // Given
            var specs = TestSpecs.Repository();
            var facts = Served(specs, "fraud-detector", "staging", canary: "0123456789ab", weight: 25);

            // When
            var result = Renderer.Render(specs, "staging", facts, Commit);

            // Then
            var canary = Find(result, "Deployment", "fraud-detector-canary");
            Assert.Equal(ModelVersions.Compute(specs.Model("fraud-detector")!, specs.Environment("staging")!), ObjectKeys.Label(canary, ManagedLabels.Version));
            Assert.Equal("0123456789ab", ObjectKeys.Label(Find(result, "Deployment", "fraud-detector-stable"), ManagedLabels.Version));
            var refs = Find(result, "HTTPRoute", "fraud-detector")["spec"]!["rules"]![0]!["backendRefs"]!.AsArray();
            Assert.Equal([75, 25], refs.Select(r => r!["weight"]!.GetValue<int>()));
            Assert.Equal(["fraud-detector-stable", "fraud-detector-canary"], refs.Select(r => r!["name"]!.ToString()));
        }

        [Fact]
        public void Should_Render_VirtualService_For_Istio_And_Replica_Ratio_Without_Router()
        {
            // Given
            var istio = TestSpecs.Repository();
            var replicas = SpecSet.From(istio.All.Select(s => s is EnvironmentSpec e && e.Name == "prod"
                ? e with { Spec = e.Spec with { Router = TrafficRouters.Replicas } }
                : s));
            var facts = Served(istio, "fraud-detector", "prod", canary: "0123456789ab", weight: 50);

            // When
            var withIstio = Renderer.Render(istio, "prod", facts, Commit);
            var byReplicas = Renderer.Render(replicas, "prod", facts, Commit);

            // Then
            var vs = Find(withIstio, "VirtualService", "fraud-detector");
            Assert.Equal([50, 50], vs["spec"]!["http"]![0]!["route"]!.AsArray().Select(r => r!["weight"]!.GetValue<int>()));
            Assert.DoesNotContain(byReplicas.Objects, o => o["kind"]!.ToString() is "HTTPRoute" or "VirtualService");
            Assert.Equal(1, Find(byReplicas, "Deployment", "fraud-detector-stable")["spec"]!["replicas"]!.GetValue<int>());
            Assert.Equal(1, Find(byReplicas, "Deployment", "fraud-detector-canary")["spec"]!["replicas"]!.GetValue<int>());
        }

        [Fact]
        public void Should_Merge_Environment_Override_Over_Model_Settings()
        {
            // Given
            var specs = TestSpecs.Repository(m => m.Name != "fraud-detector" ? m : m with
            {
                Spec = m.Spec with
                {
                    Overrides = m.Spec.Overrides.Add("prod", new ModelOverride
                    {
                        Serving = new ServingSpec { Autoscaling = new Autoscaling(3, 10, 70), Resources = new ResourceRequest { Cpu = "2", Memory = "4Gi" } },
                    }),
                },
            });
            var facts = Served(specs, "fraud-detector", "prod").Merge(Served(specs, "fraud-detector", "staging"));

            // When
            var prod = Renderer.Render(specs, "prod", facts, Commit);
            var staging = Renderer.Render(specs, "staging", facts, Commit);

            // Then
            var hpa = Find(prod, "HorizontalPodAutoscaler", "fraud-detector-stable");
            Assert.Equal(3, hpa["spec"]!["minReplicas"]!.GetValue<int>());
            var prodDeployment = Find(prod, "Deployment", "fraud-detector-stable");
            Assert.Null(prodDeployment["spec"]!["replicas"]);
            Assert.Equal("2", prodDeployment["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["requests"]!["cpu"]!.ToString());
            Assert.DoesNotContain(staging.Objects, o => o["kind"]!.ToString() == "HorizontalPodAutoscaler");
            Assert.Equal(2, Find(staging, "Deployment", "fraud-detector-stable")["spec"]!["replicas"]!.GetValue<int>());
        }

        [Fact]
        public void Should_Scale_On_Load_Per_Pod_Through_The_Custom_Metrics_Api_When_Load_Targets_Are_Set()
        {
            // Given prod autoscaling on in-flight requests and requests per second, no CPU target
            var specs = TestSpecs.Repository(m => m.Name != "fraud-detector" ? m : m with
            {
                Spec = m.Spec with
                {
                    Overrides = m.Spec.Overrides.Add("prod", new ModelOverride
                    {
                        Serving = new ServingSpec { Autoscaling = new Autoscaling(2, 20, null) { TargetInFlightRequests = 4, TargetRequestsPerSecond = 2.5 } },
                    }),
                },
            });
            var facts = Served(specs, "fraud-detector", "prod");

            // When
            var prod = Renderer.Render(specs, "prod", facts, Commit);

            // Then two Pods metrics with average values (quantities in canonical form, as the API server returns them),
            // named as prometheus-adapter serves the servers' series
            var metrics = Find(prod, "HorizontalPodAutoscaler", "fraud-detector-stable")["spec"]!["metrics"]!.AsArray();
            Assert.Equal(
                [("Pods", "gitops_inference_in_flight_requests", "AverageValue", "4"), ("Pods", "gitops_inference_requests_per_second", "AverageValue", "2500m")],
                metrics.Select(m => (m!["type"]!.ToString(), m["pods"]!["metric"]!["name"]!.ToString(), m["pods"]!["target"]!["type"]!.ToString(), m["pods"]!["target"]!["averageValue"]!.ToString())));
        }

        [Fact]
        public void Should_Label_And_Annotate_Every_Object_With_Valid_Names()
        {
            // Given
            // The longest model name validation allows (63): every name with a suffix is shortened with a hash.
            var longName = "a-very-long-model-name-that-goes-on-and-on-for-the-fraud-teamv2";
            var specs = TestSpecs.Repository(m => m.Name != "fraud-detector" ? m : m with { Metadata = Metadata.Named(longName) });
            var facts = Served(specs, longName, "staging", canary: "0123456789ab", weight: 10);

            // When
            var result = Renderer.Render(specs, "staging", facts, Commit);

            // Then
            Assert.NotEmpty(result.Objects);
            foreach (var o in result.Objects)
            {
                foreach (var label in new[] { ManagedLabels.ManagedBy, ManagedLabels.Environment, ManagedLabels.Model, ManagedLabels.Version, ManagedLabels.Track })
                {
                    Assert.False(string.IsNullOrEmpty(ObjectKeys.Label(o, label)), $"{ObjectKeys.Of(o)} lacks {label}");
                }
                Assert.Equal("3f1c2a9", ObjectKeys.Annotation(o, ManagedLabels.CommitAnnotation));
                Assert.Equal(SpecHash.Of(o), ObjectKeys.Annotation(o, ManagedLabels.SpecHashAnnotation));
                // The API server's rules (ported in KubernetesNames): Service names are DNS-1035 labels, others subdomains.
                var key = ObjectKeys.Of(o);
                var nameErrors = key.Kind == "Service" ? KubernetesNames.Dns1035Label(key.Name) : KubernetesNames.Dns1123Subdomain(key.Name);
                Assert.True(nameErrors.IsEmpty, $"{key}: {string.Join("; ", nameErrors)}");
                Assert.True(key.Name.Length <= KubernetesNames.Dns1123LabelMaxLength, $"{key} is longer than 63 characters");
                foreach (var (k, v) in o["metadata"]?["labels"] as JsonObject ?? [])
                {
                    Assert.Empty(KubernetesNames.QualifiedName(k));
                    Assert.Empty(KubernetesNames.LabelValue(v!.GetValue<string>()));
                }
                foreach (var (k, _) in o["metadata"]?["annotations"] as JsonObject ?? [])
                {
                    Assert.Empty(KubernetesNames.AnnotationKey(k));
                }
            }
            Assert.Equal(result.Objects.Length, result.Objects.Select(o => ObjectKeys.Of(o)).Distinct().Count());
        }

        [Fact]
        public void Should_Refuse_A_Quantity_That_Validation_Would_Have_Reported_When_Specs_Were_Not_Validated()
        {
            // Given specs that skipped validation (GITOPS0206 would have reported the quantity)
            var specs = TestSpecs.Repository(m => m.Name != "fraud-detector" ? m : m with
            {
                Spec = m.Spec with { Training = m.Spec.Training with { Resources = new ResourceRequest { Cpu = "2 cores" } } },
            });

            // When
            var thrown = Record.Exception(() => Renderer.Render(specs, "staging", RegistryFacts.Empty, Commit));

            // Then rendering does not check it again under a render ID: it is a caller's bug (models render in parallel)
            var error = Assert.IsType<InvalidOperationException>(thrown is AggregateException all ? Assert.Single(all.Flatten().InnerExceptions) : thrown);
            Assert.Contains("'2 cores'", error.Message);
            Assert.Contains("validate", error.Message);
        }

        [Fact]
        public void Should_Render_Quantities_In_The_Canonical_Form_The_Api_Server_Stores()
        {
            // Given
            var specs = TestSpecs.Repository(m => m.Name != "fraud-detector" ? m : m with
            {
                Spec = m.Spec with { Training = m.Spec.Training with { Resources = new ResourceRequest { Cpu = "1000m", Memory = "1024Mi" } } },
            });

            // When
            var result = Renderer.Render(specs, "staging", RegistryFacts.Empty, Commit);

            // Then
            var job = result.Objects.Single(o => o["kind"]!.GetValue<string>() == "Job" && ObjectKeys.Label(o, ManagedLabels.Model) == "fraud-detector");
            var resources = job["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!;
            Assert.Equal("1", resources["requests"]!["cpu"]!.GetValue<string>());
            Assert.Equal("1Gi", resources["requests"]!["memory"]!.GetValue<string>());
        }

        [Fact]
        public void Should_Report_Unknown_Environment()
        {
            // Given
            var specs = TestSpecs.Repository();

            // When
            var result = Renderer.Render(specs, "qa", RegistryFacts.Empty, Commit);

            // Then
            Assert.Equal(PlanningDiagnostics.UnknownEnvironment, Assert.Single(result.Diagnostics).Id);
            Assert.Empty(result.Objects);
        }

        [Fact]
        public void Should_Write_Manifests_That_Load_Back_Into_Typed_Objects()
        {
            // Given
            var specs = TestSpecs.Repository();
            var facts = Served(specs, "fraud-detector", "prod", canary: "0123456789ab", weight: 10)
                .Merge(Served(specs, "fraud-detector", "staging"));
            var objects = new[] { "staging", "prod" }.SelectMany(e => Renderer.Render(specs, e, facts, Commit).Objects).ToList();

            // When
            var stream = YamlWriter.WriteStream(objects);
            var loaded = KubernetesYaml.LoadAllFromString(stream, CustomResources.TypeMap);

            // Then
            Assert.Equal(objects.Count, loaded.Count);
            Assert.Contains(loaded, o => o is V1Deployment { Spec.Template.Spec.Containers: [{ Name: "server" }] });
            Assert.Contains(loaded, o => o is V1Job { Spec.BackoffLimit: 2 });
            Assert.Contains(loaded, o => o is V2HorizontalPodAutoscaler or V1PodDisruptionBudget);
            Assert.Contains(loaded, o => o is HttpRouteResource);
            Assert.Contains(loaded, o => o is VirtualServiceResource);
            Assert.All(loaded, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
            var deployment = loaded.OfType<V1Deployment>().First();
            Assert.Equal("gitops", deployment.Metadata.Labels[ManagedLabels.ManagedBy]);
        }
    }
}
