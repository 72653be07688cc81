using System.Text.Json.Nodes;
using GitOps.Planning.Rendering;
using GitOps.Planning.Security;
using GitOps.Planning.Tests.Support;
using GitOps.Specs;
using GitOps.Specs.Model;

namespace GitOps.Planning.Tests.Rendering;

public sealed class ServingCacheRenderTests
{
    private static readonly RenderContext Commit = new("3f1c2a9");

    private static readonly RedisEndpoint Redis = new("redis.ml-cache.svc.cluster.local:6379", new SecretKeyRef("cache-redis", "password"));

    private static SpecSet Repository(ServingCache? cache, ServingCache? prodOverride = null, RedisEndpoint? prodRedis = null)
    {
        var specs = TestSpecs.Repository(m => m.Name != "fraud-detector" ? m : m with
        {
            Spec = m.Spec with
            {
                Serving = m.Spec.Serving with { Cache = cache },
                Overrides = prodOverride is null
                    ? m.Spec.Overrides
                    : m.Spec.Overrides.SetItem("prod", new ModelOverride { Serving = new ServingSpec { Cache = prodOverride } }),
            },
        });
        return SpecSet.From(specs.All.Select(s => s is EnvironmentSpec { Name: "prod" } e && prodRedis is not null
            ? e with { Spec = e.Spec with { Serving = new EnvironmentServing { CacheRedis = prodRedis } } }
            : s));
    }

    private static JsonNode StablePod(SpecSet specs, string env)
    {
        var result = Renderer.Render(specs, env, Clusters.AllServed(specs), Commit);
        Assert.Empty(result.Diagnostics);
        var deployment = result.Objects.Single(o => o["kind"]!.ToString() == "Deployment" && o["metadata"]!["name"]!.ToString() == "fraud-detector-stable");
        Assert.Empty(PodSecurityAdmission.Check(deployment, PodSecurityLevels.Restricted));
        return deployment["spec"]!["template"]!["spec"]!;
    }

    private static List<string> ServerArgs(JsonNode pod) => [.. pod["containers"]![0]!["args"]!.AsArray().Select(a => a!.ToString())];

    public sealed class TheRenderMethod
    {
        [Fact]
        public void Should_Pass_The_Memory_Store_Its_Bound_And_Time_To_Live_When_The_Model_Caches_In_Memory()
        {
            // Given
            var specs = Repository(new ServingCache(CacheStores.Memory) { MaxBytes = "256Mi", Ttl = "10m" });

            // When
            var args = ServerArgs(StablePod(specs, "staging"));

            // Then
            Assert.Equal("memory", args[args.IndexOf("--cache") + 1]);
            Assert.Equal("256Mi", args[args.IndexOf("--cache-max-bytes") + 1]);
            Assert.Equal("10m", args[args.IndexOf("--cache-ttl") + 1]);
            Assert.DoesNotContain("--cache-redis", args);
        }

        [Fact]
        public void Should_Give_No_Cache_Options_When_The_Model_Declares_No_Cache()
        {
            // Given
            var specs = Repository(null);

            // When
            var args = ServerArgs(StablePod(specs, "staging"));

            // Then
            Assert.DoesNotContain(args, a => a.StartsWith("--cache", StringComparison.Ordinal));
        }

        [Fact]
        public void Should_Mount_The_Redis_Password_As_A_File_And_Name_The_Address_When_The_Override_Caches_In_Redis()
        {
            // Given: memory everywhere, Redis in prod, whose environment names its Redis
            var specs = Repository(new ServingCache(CacheStores.Memory), new ServingCache(CacheStores.Redis) { Ttl = "1h" }, Redis);

            // When
            var pod = StablePod(specs, "prod");
            var staging = ServerArgs(StablePod(specs, "staging"));

            // Then
            var args = ServerArgs(pod);
            Assert.Equal("redis", args[args.IndexOf("--cache") + 1]);
            Assert.Equal("redis.ml-cache.svc.cluster.local:6379", args[args.IndexOf("--cache-redis") + 1]);
            Assert.Equal("1h", args[args.IndexOf("--cache-ttl") + 1]);
            var file = args[args.IndexOf("--cache-redis-password-file") + 1];
            Assert.Equal($"{ServingCacheArgs.MountPath}/{ServingCacheArgs.FileName}", file);
            var volume = pod["volumes"]!.AsArray().Single(v => v!["name"]!.ToString() == ServingCacheArgs.VolumeName)!;
            Assert.Equal("cache-redis", volume["secret"]!["secretName"]!.ToString());
            Assert.Equal("password", volume["secret"]!["items"]![0]!["key"]!.ToString());
            var server = pod["containers"]![0]!;
            Assert.Contains(server["volumeMounts"]!.AsArray(), m => m!["name"]!.ToString() == ServingCacheArgs.VolumeName && m["readOnly"]!.GetValue<bool>());
            Assert.Null(server["env"]);
            Assert.DoesNotContain(pod["initContainers"]![0]!["volumeMounts"]!.AsArray(), m => m!["name"]!.ToString() == ServingCacheArgs.VolumeName);
            Assert.Equal("memory", staging[staging.IndexOf("--cache") + 1]);
        }

        [Fact]
        public void Should_Turn_The_Cache_Off_In_One_Environment_When_Its_Override_Says_Off()
        {
            // Given
            var specs = Repository(new ServingCache(CacheStores.Memory), new ServingCache(CacheStores.Off));

            // When
            var prod = ServerArgs(StablePod(specs, "prod"));
            var staging = ServerArgs(StablePod(specs, "staging"));

            // Then
            Assert.DoesNotContain("--cache", prod);
            Assert.Contains("--cache", staging);
        }

        [Fact]
        public void Should_Roll_A_New_Pod_Template_When_Only_The_Cache_Changes()
        {
            // Given
            var plain = Repository(null);
            var cached = Repository(new ServingCache(CacheStores.Memory));
            var before = StablePod(plain, "staging");

            // When
            var after = StablePod(cached, "staging");

            // Then: the cache is a serving setting, not a training input: same version, new pod template
            Assert.Equal(ModelVersions.Compute(plain.Model("fraud-detector")!, plain.Environment("staging")!),
                ModelVersions.Compute(cached.Model("fraud-detector")!, cached.Environment("staging")!));
            Assert.NotEqual(before.ToJsonString(), after.ToJsonString());
        }
    }
}
