using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Planning.Cluster;
using GitOps.Testing.FakeKubernetes;

namespace GitOps.Reconciler.Tests;

public sealed class FakeApiServerTests
{
    private const string ConfigMaps = "api/v1/namespaces/ml/configmaps";
    private const string Deployments = "apis/apps/v1/namespaces/ml/deployments";

    private static JsonObject ConfigMap(string name, JsonObject? data = null, JsonObject? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ml", ["labels"] = labels ?? new JsonObject() },
        ["data"] = data ?? new JsonObject { ["k"] = "v" },
    };

    private static JsonObject Deployment(string name, int replicas, string image) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ml" },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = image }) } },
        },
    };

    internal sealed class Client(FakeKubernetesApiServer server) : IDisposable
    {
        private readonly HttpClient _http = new() { BaseAddress = server.BaseAddress };

        public async Task<(HttpStatusCode Code, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonObject? body = null, string contentType = "application/json")
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            }
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
        }

        public Task<(HttpStatusCode Code, JsonObject Body)> ApplyAsync(string path, JsonObject body, string manager = "gitops", bool force = false, bool dryRun = false) =>
            SendAsync(HttpMethod.Patch, $"{path}?fieldManager={manager}{(force ? "&force=true" : "")}{(dryRun ? "&dryRun=All" : "")}", body, "application/apply-patch+yaml");

        public async Task<List<JsonObject>> WatchAsync(string path, int expected, CancellationToken ct)
        {
            using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            var events = new List<JsonObject>();
            while (events.Count < expected && await reader.ReadLineAsync(ct) is { } line)
            {
                events.Add(JsonNode.Parse(line)!.AsObject());
            }
            return events;
        }

        public void Dispose() => _http.Dispose();
    }

    private static string Rv(JsonObject obj) => obj["metadata"]!["resourceVersion"]!.GetValue<string>();

    /// <summary>A fresh fake API server and a client for it, per test.</summary>
    public abstract class ServerPerTest : IAsyncLifetime
    {
        private protected FakeKubernetesApiServer _server = null!;
        private protected Client _client = null!;

        public async Task InitializeAsync()
        {
            _server = await FakeKubernetesApiServer.StartAsync();
            _client = new Client(_server);
        }

        public async Task DisposeAsync()
        {
            _client.Dispose();
            await _server.DisposeAsync();
        }
    }

    public sealed class TheCrudEndpoints : ServerPerTest
    {
        [Fact]
        public async Task Should_Return_A_NotFound_Status_When_The_Object_Is_Missing()
        {
            // Given / When
            var (code, body) = await _client.SendAsync(HttpMethod.Get, $"{Deployments}/absent");

            // Then
            Assert.Equal(HttpStatusCode.NotFound, code);
            Assert.Equal("Status", body["kind"]!.GetValue<string>());
            Assert.Equal("NotFound", body["reason"]!.GetValue<string>());
            Assert.Equal("deployments.apps \"absent\" not found", body["message"]!.GetValue<string>());
            Assert.Equal(404, body["code"]!.GetValue<int>());
        }

        [Fact]
        public async Task Should_Populate_Server_Fields_On_Create_And_Refuse_A_Second_Create()
        {
            // Given
            var (created, first) = await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a"));

            // When
            var (again, second) = await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a"));

            // Then
            Assert.Equal(HttpStatusCode.Created, created);
            var metadata = first["metadata"]!;
            Assert.False(string.IsNullOrEmpty(metadata["uid"]?.GetValue<string>()));
            Assert.NotNull(metadata["creationTimestamp"]);
            Assert.True(long.Parse(Rv(first)) > 0);
            Assert.Equal(HttpStatusCode.Conflict, again);
            Assert.Equal("AlreadyExists", second["reason"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Refuse_A_Replace_With_A_Stale_ResourceVersion()
        {
            // Given
            var (_, created) = await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a"));
            var update1 = ConfigMap("a", new JsonObject { ["k"] = "v2" });
            update1["metadata"]!["resourceVersion"] = Rv(created);
            var (ok, updated) = await _client.SendAsync(HttpMethod.Put, $"{ConfigMaps}/a", update1);
            var stale = ConfigMap("a", new JsonObject { ["k"] = "v3" });
            stale["metadata"]!["resourceVersion"] = Rv(created);

            // When
            var (code, body) = await _client.SendAsync(HttpMethod.Put, $"{ConfigMaps}/a", stale);

            // Then
            Assert.Equal(HttpStatusCode.OK, ok);
            Assert.True(long.Parse(Rv(updated)) > long.Parse(Rv(created)));
            Assert.Equal(HttpStatusCode.Conflict, code);
            Assert.Equal("Conflict", body["reason"]!.GetValue<string>());
            Assert.Contains("the object has been modified", body["message"]!.GetValue<string>());
            Assert.Equal("v2", _server.GetObject("v1", "ConfigMap", "ml", "a")!["data"]!["k"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Answer_NotFound_When_Deleting_A_Missing_Object()
        {
            // Given
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a"));

            // When
            var (first, _) = await _client.SendAsync(HttpMethod.Delete, $"{ConfigMaps}/a");
            var (second, body) = await _client.SendAsync(HttpMethod.Delete, $"{ConfigMaps}/a");

            // Then
            Assert.Equal(HttpStatusCode.OK, first);
            Assert.Equal(HttpStatusCode.NotFound, second);
            Assert.Equal("NotFound", body["reason"]!.GetValue<string>());
            Assert.Equal(1, _server.RequestCount("create"));
            Assert.Equal(2, _server.RequestCount("delete"));
        }

        [Fact]
        public async Task Should_List_By_Label_Selector_Without_Type_Meta_On_Builtin_Items()
        {
            // Given
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a", labels: new JsonObject { ["env"] = "prod", ["tier"] = "web" }));
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("b", labels: new JsonObject { ["env"] = "staging" }));
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("c"));

            // When
            var (code, list) = await _client.SendAsync(HttpMethod.Get, $"{ConfigMaps}?labelSelector={Uri.EscapeDataString("env in (prod,staging),!tier")}");

            // Then
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal("ConfigMapList", list["kind"]!.GetValue<string>());
            Assert.Equal(_server.CurrentResourceVersion.ToString(), list["metadata"]!["resourceVersion"]!.GetValue<string>());
            var item = Assert.Single(list["items"]!.AsArray());
            Assert.Equal("b", item!["metadata"]!["name"]!.GetValue<string>());
            Assert.Null(item["kind"]);
        }

        [Fact]
        public async Task Should_Page_A_List_From_One_Snapshot_Like_The_Api_Server()
        {
            // Given three ConfigMaps, one outside the selection
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a", labels: new JsonObject { ["env"] = "prod" }));
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("b", labels: new JsonObject { ["env"] = "staging" }));
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("c", labels: new JsonObject { ["env"] = "prod" }));
            var query = $"{ConfigMaps}?labelSelector=env%3Dprod&limit=1";

            // When the first page is read, then an object is added, then the list is continued
            var (_, first) = await _client.SendAsync(HttpMethod.Get, query);
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("d", labels: new JsonObject { ["env"] = "prod" }));
            var token = first["metadata"]!["continue"]!.GetValue<string>();
            var (code, second) = await _client.SendAsync(HttpMethod.Get, $"{query}&continue={Uri.EscapeDataString(token)}");

            // Then each page holds at most the limit of the selection, the last page has no token, and the pages are
            // the snapshot of the first one: its resourceVersion, without the object added since
            Assert.Equal("a", Assert.Single(first["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal("c", Assert.Single(second["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
            Assert.Null(second["metadata"]!["continue"]);
            Assert.Equal(Rv(first), Rv(second));
            Assert.NotEqual(_server.CurrentResourceVersion.ToString(), Rv(second));
        }

        [Fact]
        public async Task Should_Answer_Expired_When_A_Snapshot_Is_Gone_And_BadRequest_For_A_Foreign_Token()
        {
            // Given a paged list whose snapshot was compacted away
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a"));
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("b"));
            var (_, first) = await _client.SendAsync(HttpMethod.Get, $"{ConfigMaps}?limit=1");
            _server.ExpireListSnapshots();

            // When
            var (expired, status) = await _client.SendAsync(HttpMethod.Get,
                $"{ConfigMaps}?limit=1&continue={Uri.EscapeDataString(first["metadata"]!["continue"]!.GetValue<string>())}");
            var (invalid, _) = await _client.SendAsync(HttpMethod.Get, $"{ConfigMaps}?limit=1&continue=bm90LWEtdG9rZW4%3D");

            // Then
            Assert.Equal(HttpStatusCode.Gone, expired);
            Assert.Equal("Expired", status["reason"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.BadRequest, invalid);
        }

        [Fact]
        public async Task Should_Answer_Forbidden_Like_RBAC_Until_The_Refusal_Is_Lifted()
        {
            // Given
            var refusal = FakeRefusal.Forbidden(resource: "deployments", @namespace: "ml");
            _server.Refuse(refusal);

            // When
            var (listCode, list) = await _client.SendAsync(HttpMethod.Get, Deployments);
            var (getCode, get) = await _client.SendAsync(HttpMethod.Get, $"{Deployments}/web");
            var (configCode, _) = await _client.SendAsync(HttpMethod.Get, ConfigMaps);
            _server.Lift(refusal);
            var (liftedCode, _) = await _client.SendAsync(HttpMethod.Get, Deployments);

            // Then
            Assert.Equal(HttpStatusCode.Forbidden, listCode);
            Assert.Equal(("Status", "Failure", "Forbidden", 403), (list["kind"]!.GetValue<string>(), list["status"]!.GetValue<string>(),
                list["reason"]!.GetValue<string>(), list["code"]!.GetValue<int>()));
            Assert.Equal("deployments.apps is forbidden: User \"system:serviceaccount:gitops-system:gitops-reconciler\" cannot list resource "
                + "\"deployments\" in API group \"apps\" in the namespace \"ml\"", list["message"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.Forbidden, getCode);
            Assert.StartsWith("deployments.apps \"web\" is forbidden: User", get["message"]!.GetValue<string>());
            Assert.Equal("web", get["details"]!["name"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, configCode);
            Assert.Equal(HttpStatusCode.OK, liftedCode);
        }

        [Fact]
        public async Task Should_Answer_Invalid_With_Causes_Only_For_Writes_Of_The_Refused_Object()
        {
            // Given
            _server.Refuse(FakeRefusal.Invalid("deployments", "web", "spec.replicas: Invalid value: -1: must be greater than or equal to 0"));

            // When
            var (applyCode, apply) = await _client.SendAsync(HttpMethod.Post, Deployments, Deployment("web", 1, "img"));
            var (putCode, put) = await _client.SendAsync(HttpMethod.Put, $"{Deployments}/web", Deployment("web", 1, "img"));
            var (getCode, _) = await _client.SendAsync(HttpMethod.Get, $"{Deployments}/web");

            // Then: a create does not name its object in the path, so only the update is refused
            Assert.Equal(HttpStatusCode.Created, applyCode);
            Assert.NotNull(apply["metadata"]);
            Assert.Equal((HttpStatusCode)422, putCode);
            Assert.Equal(("Invalid", 422), (put["reason"]!.GetValue<string>(), put["code"]!.GetValue<int>()));
            Assert.Equal("Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0", put["message"]!.GetValue<string>());
            var cause = put["details"]!["causes"]![0]!;
            Assert.Equal(("FieldValueInvalid", "spec.replicas"), (cause["reason"]!.GetValue<string>(), cause["field"]!.GetValue<string>()));
            Assert.Equal(HttpStatusCode.OK, getCode);
        }

        [Fact]
        public async Task Should_Answer_NotFound_For_A_Resource_That_Is_Not_Installed()
        {
            // Given
            await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions
            {
                ResourceTypes = [.. FakeResourceType.Defaults.Where(t => t.Kind != "VirtualService")],
            });
            using var client = new Client(server);

            // When
            var (code, body) = await client.SendAsync(HttpMethod.Get, "apis/networking.istio.io/v1/namespaces/ml/virtualservices");

            // Then
            Assert.Equal(HttpStatusCode.NotFound, code);
            Assert.Equal("the server could not find the requested resource", body["message"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Refuse_Requests_Without_The_Bearer_Token_When_One_Is_Required()
        {
            // Given
            await using var server = await FakeKubernetesApiServer.StartAsync(new FakeKubernetesApiServerOptions { BearerToken = "s3cret" });
            using var client = new Client(server);

            // When
            var (code, body) = await client.SendAsync(HttpMethod.Get, ConfigMaps);

            // Then
            Assert.Equal(HttpStatusCode.Unauthorized, code);
            Assert.Equal("Unauthorized", body["reason"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Fail_The_Next_Requests_When_A_Failure_Is_Injected()
        {
            // Given
            _server.FailNext(2, 503, verb: "list");

            // When
            var first = await _client.SendAsync(HttpMethod.Get, ConfigMaps);
            var second = await _client.SendAsync(HttpMethod.Get, ConfigMaps);
            var third = await _client.SendAsync(HttpMethod.Get, ConfigMaps);

            // Then
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Code);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, second.Code);
            Assert.Equal(HttpStatusCode.OK, third.Code);
            Assert.Equal(3, _server.RequestCount("list"));
        }

        [Fact]
        public async Task Should_Apply_A_Merge_Patch_As_A_Hand_Edit()
        {
            // Given
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a", new JsonObject { ["k"] = "v", ["x"] = "1" }));

            // When
            var (code, body) = await _client.SendAsync(HttpMethod.Patch, $"{ConfigMaps}/a?fieldManager=human",
                new JsonObject { ["data"] = new JsonObject { ["k"] = "edited", ["x"] = null } }, "application/merge-patch+json");

            // Then
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal("edited", body["data"]!["k"]!.GetValue<string>());
            Assert.Null(body["data"]!["x"]);
            Assert.Contains(body["metadata"]!["managedFields"]!.AsArray(), m => m!["manager"]!.GetValue<string>() == "human");
        }
    }

    public sealed class TheServerSideApply : ServerPerTest
    {
        [Fact]
        public async Task Should_Create_The_Object_And_Record_The_Field_Manager()
        {
            // Given / When
            var (code, body) = await _client.ApplyAsync($"{Deployments}/web", Deployment("web", 2, "img:1"));

            // Then
            Assert.Equal(HttpStatusCode.Created, code);
            Assert.Equal(1, body["metadata"]!["generation"]!.GetValue<long>());
            var entry = Assert.Single(body["metadata"]!["managedFields"]!.AsArray());
            Assert.Equal("gitops", entry!["manager"]!.GetValue<string>());
            Assert.Equal("Apply", entry["operation"]!.GetValue<string>());
            Assert.NotNull(entry["fieldsV1"]!["f:spec"]!["f:replicas"]);
        }

        [Fact]
        public async Task Should_Not_Write_When_The_Same_Configuration_Is_Applied_Again()
        {
            // Given
            var (_, first) = await _client.ApplyAsync($"{Deployments}/web", Deployment("web", 2, "img:1"));

            // When
            var (code, second) = await _client.ApplyAsync($"{Deployments}/web", Deployment("web", 2, "img:1"));

            // Then
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal(Rv(first), Rv(second));
            Assert.Equal(1, second["metadata"]!["generation"]!.GetValue<long>());
        }

        [Fact]
        public async Task Should_Increment_Generation_When_The_Spec_Changes()
        {
            // Given
            await _client.ApplyAsync($"{Deployments}/web", Deployment("web", 2, "img:1"));

            // When
            var (_, body) = await _client.ApplyAsync($"{Deployments}/web", Deployment("web", 2, "img:2"));

            // Then
            Assert.Equal(2, body["metadata"]!["generation"]!.GetValue<long>());
            Assert.Equal("img:2", body["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Conflict_When_Another_Manager_Owns_A_Field_With_Another_Value()
        {
            // Given
            await _client.ApplyAsync($"{Deployments}/web", Deployment("web", 2, "img:1"));
            var key = new ResourceKey("apps/v1", "Deployment", "ml", "web");
            _server.EditByHand(key, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 5 } }, manager: "kubectl-scale");

            // When
            var (code, body) = await _client.ApplyAsync($"{Deployments}/web", Deployment("web", 3, "img:1"));

            // Then
            Assert.Equal(HttpStatusCode.Conflict, code);
            Assert.Equal("Conflict", body["reason"]!.GetValue<string>());
            var cause = Assert.Single(body["details"]!["causes"]!.AsArray());
            Assert.Equal(".spec.replicas", cause!["field"]!.GetValue<string>());
            Assert.Contains("kubectl-scale", body["message"]!.GetValue<string>());
            Assert.Equal(5, _server.GetObject(key)!["spec"]!["replicas"]!.GetValue<int>());
        }

        [Fact]
        public async Task Should_Take_Ownership_When_Forced()
        {
            // Given
            await _client.ApplyAsync($"{Deployments}/web", Deployment("web", 2, "img:1"));
            var key = new ResourceKey("apps/v1", "Deployment", "ml", "web");
            _server.EditByHand(key, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 5 } }, manager: "kubectl-scale");

            // When
            var (code, body) = await _client.ApplyAsync($"{Deployments}/web", Deployment("web", 3, "img:1"), force: true);

            // Then
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal(3, body["spec"]!["replicas"]!.GetValue<int>());
            Assert.DoesNotContain(body["metadata"]!["managedFields"]!.AsArray(), m => m!["manager"]!.GetValue<string>() == "kubectl-scale");
        }

        [Fact]
        public async Task Should_Remove_Fields_The_Manager_Stopped_Applying_But_Keep_Other_Managers_Fields()
        {
            // Given
            await _client.ApplyAsync($"{ConfigMaps}/a", ConfigMap("a", new JsonObject { ["one"] = "1", ["two"] = "2" }));
            var key = new ResourceKey("v1", "ConfigMap", "ml", "a");
            _server.EditByHand(key, new JsonObject { ["data"] = new JsonObject { ["mine"] = "human" } }, manager: "human");

            // When
            var (code, body) = await _client.ApplyAsync($"{ConfigMaps}/a", ConfigMap("a", new JsonObject { ["one"] = "1" }));

            // Then
            Assert.Equal(HttpStatusCode.OK, code);
            var data = body["data"]!.AsObject();
            Assert.Equal("1", data["one"]!.GetValue<string>());
            Assert.False(data.ContainsKey("two"));
            Assert.Equal("human", data["mine"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Share_A_Field_When_Two_Managers_Apply_The_Same_Value()
        {
            // Given
            await _client.ApplyAsync($"{ConfigMaps}/a", ConfigMap("a", new JsonObject { ["k"] = "same" }), manager: "other");

            // When
            var (code, body) = await _client.ApplyAsync($"{ConfigMaps}/a", ConfigMap("a", new JsonObject { ["k"] = "same" }));

            // Then
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal(2, body["metadata"]!["managedFields"]!.AsArray().Count);
        }

        [Fact]
        public async Task Should_Persist_Nothing_On_Dry_Run()
        {
            // Given
            var before = _server.CurrentResourceVersion;

            // When
            var (code, body) = await _client.ApplyAsync($"{ConfigMaps}/a", ConfigMap("a"), dryRun: true);

            // Then
            Assert.Equal(HttpStatusCode.Created, code);
            Assert.Equal("v", body["data"]!["k"]!.GetValue<string>());
            Assert.Null(_server.GetObject("v1", "ConfigMap", "ml", "a"));
            Assert.Equal(before, _server.CurrentResourceVersion);
        }

        [Fact]
        public async Task Should_Require_A_Field_Manager()
        {
            // Given / When
            var (code, body) = await _client.SendAsync(HttpMethod.Patch, $"{ConfigMaps}/a", ConfigMap("a"), "application/apply-patch+yaml");

            // Then
            Assert.Equal(HttpStatusCode.BadRequest, code);
            Assert.Contains("fieldManager is required", body["message"]!.GetValue<string>());
        }
    }

    public sealed class TheWatchEndpoint : ServerPerTest
    {
        [Fact]
        public async Task Should_Stream_The_Changes_Made_After_The_Given_ResourceVersion()
        {
            // Given
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("before"));
            var from = _server.CurrentResourceVersion;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var watch = _client.WatchAsync($"{ConfigMaps}?watch=true&resourceVersion={from}", 3, cts.Token);

            // When
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a"));
            await _client.SendAsync(HttpMethod.Patch, $"{ConfigMaps}/a?fieldManager=h", new JsonObject { ["data"] = new JsonObject { ["k"] = "2" } }, "application/merge-patch+json");
            await _client.SendAsync(HttpMethod.Delete, $"{ConfigMaps}/a");
            var events = await watch;

            // Then
            Assert.Equal(["ADDED", "MODIFIED", "DELETED"], events.Select(e => e["type"]!.GetValue<string>()));
            Assert.All(events, e => Assert.Equal("a", e["object"]!["metadata"]!["name"]!.GetValue<string>()));
            Assert.All(events, e => Assert.Equal("ConfigMap", e["object"]!["kind"]!.GetValue<string>()));
        }

        [Fact]
        public async Task Should_Report_Objects_Leaving_The_Selection_As_Deleted()
        {
            // Given
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a", labels: new JsonObject { ["env"] = "prod" }));
            var from = _server.CurrentResourceVersion;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var watch = _client.WatchAsync($"{ConfigMaps}?watch=true&resourceVersion={from}&labelSelector=env%3Dprod", 1, cts.Token);

            // When
            _server.EditByHand(new ResourceKey("v1", "ConfigMap", "ml", "a"), new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["env"] = "dev" } } });
            var events = await watch;

            // Then
            Assert.Equal("DELETED", Assert.Single(events)["type"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Send_A_410_Error_Event_When_The_ResourceVersion_Is_Too_Old()
        {
            // Given
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a"));
            var old = _server.CurrentResourceVersion;
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("b"));
            _server.CompactHistory();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

            // When
            var events = await _client.WatchAsync($"{ConfigMaps}?watch=true&resourceVersion={old}", 2, cts.Token);

            // Then
            var error = Assert.Single(events);
            Assert.Equal("ERROR", error["type"]!.GetValue<string>());
            Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
            Assert.Equal("Expired", error["object"]!["reason"]!.GetValue<string>());
        }

        [Fact]
        public async Task Should_Start_With_The_Current_Objects_When_No_ResourceVersion_Is_Given()
        {
            // Given
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("a"));
            await _client.SendAsync(HttpMethod.Post, ConfigMaps, ConfigMap("b"));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

            // When
            var events = await _client.WatchAsync($"{ConfigMaps}?watch=true", 2, cts.Token);

            // Then
            Assert.Equal(["a", "b"], events.Select(e => e["object"]!["metadata"]!["name"]!.GetValue<string>()));
            Assert.All(events, e => Assert.Equal("ADDED", e["type"]!.GetValue<string>()));
        }
    }

    public sealed class TheLabelSelector
    {
        [Theory]
        [InlineData("env=prod", true)]
        [InlineData("env==prod", true)]
        [InlineData("env!=prod", false)]
        [InlineData("env!=dev", true)]
        [InlineData("missing!=x", true)]
        [InlineData("env in (dev, prod)", true)]
        [InlineData("env in (dev,staging)", false)]
        [InlineData("env notin (dev,staging)", true)]
        [InlineData("tier", true)]
        [InlineData("!tier", false)]
        [InlineData("!missing", true)]
        [InlineData("env=prod,tier=web", true)]
        [InlineData("env=prod,tier=db", false)]
        [InlineData("", true)]
        public void Should_Match_Labels_Like_The_Api_Server(string selector, bool expected)
        {
            // Given
            var labels = new Dictionary<string, string> { ["env"] = "prod", ["tier"] = "web" };

            // When
            var matches = LabelSelector.Parse(selector).Matches(labels);

            // Then
            Assert.Equal(expected, matches);
        }

        [Theory]
        [InlineData("env in (a,b")]
        [InlineData("a,,b")]
        [InlineData("=x")]
        public void Should_Reject_Malformed_Selectors(string selector)
        {
            // Given / When / Then
            Assert.Throws<FormatException>(() => LabelSelector.Parse(selector));
        }
    }
}
