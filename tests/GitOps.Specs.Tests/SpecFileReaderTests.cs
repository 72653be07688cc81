using System.Net.Sockets;
using System.Text;
using Xunit;

namespace GitOps.Specs.Tests;

public sealed class SpecFileReaderTests
{
    public sealed class TheReadMethod : IDisposable
    {
        private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("gitops-reader-");
        private readonly List<Socket> _sockets = [];

        public void Dispose()
        {
            _sockets.ForEach(s => s.Dispose());
            _root.Delete(recursive: true);
        }

        [Fact]
        public void Should_Return_Every_Spec_File_In_Path_Order_When_There_Are_Enough_To_Read_On_Every_Core()
        {
            // Given 300 models written in shuffled order, beside files that are not specs
            var names = Enumerable.Range(0, 300).Select(i => $"m-{i * 7919 % 300:D3}").ToList();
            foreach (var name in names)
            {
                Write($"models/{name}/model.yaml", $"name: {name}\n");
            }
            Write("environments/prod/environment.yaml", "name: prod\n");
            Write("README.md", "# not a spec\n");
            Write("models/m-000/train.py", "print('not a spec')\n");

            // When
            var files = SpecFileReader.Read(_root.FullName);

            // Then each file is where path order puts it, with its own content
            var expected = names.Select(n => $"models/{n}/model.yaml").Append("environments/prod/environment.yaml")
                .Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, files.Select(f => f.Path));
            Assert.All(files.Where(f => f.Path.StartsWith("models/", StringComparison.Ordinal)),
                f => Assert.Equal($"name: {f.Path.Split('/')[1]}\n", Encoding.UTF8.GetString(f.Content)));
        }

        [Fact]
        public void Should_Read_Yaml_Extensions_In_Any_Case_And_Collect_Json_But_Not_Prose_Or_Code()
        {
            // Given specs named .YAML and .Yml, a spec written as .json, and the files that live beside specs
            Write("models/fraud/model.YAML", "name: fraud\n");
            Write("models/ticket/model.Yml", "name: ticket\n");
            Write("policies/org/owners.json", "{\"apiVersion\": \"ml.gitops/v1alpha1\", \"kind\": \"Policy\"}\n");
            Write("models/fraud/README.md", "# fraud\n");
            Write("models/fraud/train.py", "print()\n");
            Write("models/fraud/.gitlab-ci.yaml.orig", "stages: []\n");

            // When
            var files = SpecFileReader.Read(_root.FullName);

            // Then the YAML files are read and the JSON file is collected for the loader to judge
            Assert.Equal(["models/fraud/model.YAML", "models/ticket/model.Yml", "policies/org/owners.json"], files.Select(f => f.Path));
        }

        [Fact]
        public void Should_Not_Count_Json_Files_Towards_The_Limit_Of_Spec_Files()
        {
            // Given two spec files and JSON files sorted before them, with a limit of two spec files
            Write("models/a/a.json", "{}\n");
            Write("models/a/b.json", "{}\n");
            Write("models/a/c.yaml", "name: c\n");
            Write("models/a/d.yaml", "name: d\n");

            // When
            var files = SpecFileReader.Read(_root.FullName, LoaderLimits.Default with { MaxFiles = 2 });

            // Then both spec files are read
            Assert.Equal(["models/a/a.json", "models/a/b.json", "models/a/c.yaml", "models/a/d.yaml"], files.Select(f => f.Path));
            Assert.DoesNotContain(SpecLoader.Load(files, LoaderLimits.Default with { MaxFiles = 2 }).Diagnostics, d => d.Id == "GITOPS0019");
        }

        [Fact]
        public void Should_Throw_The_Failure_Of_The_First_File_In_Path_Order_When_Several_Cannot_Be_Read()
        {
            // Given 200 readable models and two that cannot be opened, far apart in path order
            for (var i = 0; i < 200; i++)
            {
                Write($"models/m-{i:D3}/model.yaml", $"name: m-{i:D3}\n");
            }
            Unreadable("models/m-020x/model.yaml");
            Unreadable("models/m-180x/model.yaml");

            // When
            var error = Assert.ThrowsAny<IOException>(() => SpecFileReader.Read(_root.FullName));

            // Then the error is the one reading the files one by one would have met first, not an aggregate of both
            Assert.Contains("m-020x", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("m-180x", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Should_Judge_Links_In_A_Folder_Walked_On_Every_Core_As_In_A_Small_One()
        {
            // Given a models folder large enough to be walked on every core, with links among its models: to a shared
            // file, to a shared folder, out of the repository, to nothing, and back to the folder holding it
            for (var i = 0; i < 120; i++)
            {
                Write($"models/m-{i:D3}/model.yaml", $"name: m-{i:D3}\n");
            }
            Write("shared/spec.yaml", "name: shared\n");
            Write("shared/folder/model.yaml", "name: folder\n");
            Link("models/a-file/model.yaml", "../../shared/spec.yaml");
            Link("models/b-folder", "../shared/folder");
            Link("models/c-out/model.yaml", "/etc/hostname");
            Link("models/d-gone/model.yaml", "../../nowhere.yaml");
            Link("models/e-loop", ".");
            Link("models/f-notes.md", "/etc/hostname");

            // When
            var files = SpecFileReader.Read(_root.FullName);

            // Then the links inside are read under their own paths and the others are reported, in path order
            Assert.Equal(125, files.Count);
            Assert.Equal(["models/a-file/model.yaml", "models/b-folder/model.yaml", "models/c-out/model.yaml", "models/d-gone/model.yaml", "models/e-loop"],
                files.Take(5).Select(f => f.Path));
            Assert.Equal("name: shared\n", Encoding.UTF8.GetString(files[0].Content));
            Assert.Equal("name: folder\n", Encoding.UTF8.GetString(files[1].Content));
            Assert.Equal(SymbolicLinks.Absolute("/etc/hostname"), files[2].Unreadable);
            Assert.Equal(SymbolicLinks.Missing("../../nowhere.yaml"), files[3].Unreadable);
            Assert.Equal(SymbolicLinks.Ancestor("."), files[4].Unreadable);
            Assert.All(files.Skip(5), f => Assert.Equal($"name: {f.Path.Split('/')[1]}\n", Encoding.UTF8.GetString(f.Content)));
        }

        [Fact]
        public void Should_Read_The_First_Spec_Files_In_Path_Order_Up_To_One_Past_The_Limit_Whatever_Order_The_Walk_Found_Them()
        {
            // Given 150 models in a folder walked on every core, and a limit of 100 spec files
            for (var i = 0; i < 150; i++)
            {
                Write($"models/m-{i:D3}/model.yaml", $"name: m-{i:D3}\n");
            }

            // When
            var files = SpecFileReader.Read(_root.FullName, LoaderLimits.Default with { MaxFiles = 100 });

            // Then the first 101 in path order are returned, each with its own content
            Assert.Equal(Enumerable.Range(0, 101).Select(i => $"models/m-{i:D3}/model.yaml"), files.Select(f => f.Path));
            Assert.All(files, f => Assert.Equal($"name: {f.Path.Split('/')[1]}\n", Encoding.UTF8.GetString(f.Content)));
        }

        [Fact]
        public void Should_Read_Linked_Files_And_Folders_Inside_The_Repository_Under_The_Links_Paths()
        {
            // Given a model whose spec is a link to a shared file, and a policies folder that is a link to another one
            Write("shared/fraud.yaml", "name: fraud\n");
            Write("shared/gates/gate.yaml", "name: gate\n");
            Link("models/fraud/model.yaml", "../../shared/fraud.yaml");
            Link("policies/gates", "../shared/gates");
            Link("models/fraud/notes.md", "/etc/hostname");

            // When
            var files = SpecFileReader.Read(_root.FullName);

            // Then the specs are read through the links, and a link that could hold no spec is left alone
            Assert.Equal(["models/fraud/model.yaml", "policies/gates/gate.yaml"], files.Select(f => f.Path));
            Assert.Equal("name: fraud\n", Encoding.UTF8.GetString(files[0].Content));
            Assert.Equal("name: gate\n", Encoding.UTF8.GetString(files[1].Content));
            Assert.All(files, f => Assert.Null(f.Unreadable));
        }

        [Fact]
        public void Should_Follow_Links_Inside_The_Repository_When_It_Is_Opened_Through_A_Linked_Path()
        {
            // Given a repository reached through a link to it, whose model links to a shared file inside it
            Write("real/shared/fraud.yaml", "name: fraud\n");
            Write("real/shared/gates/gate.yaml", "name: gate\n");
            Link("real/models/fraud/model.yaml", "../../shared/fraud.yaml");
            Link("real/policies/gates", "../shared/gates");
            Link("opened", Path.Combine(_root.FullName, "real"));

            // When
            var files = SpecFileReader.Read(Path.Combine(_root.FullName, "opened"));

            // Then the links are inside the repository, wherever it was opened from
            Assert.Equal(["models/fraud/model.yaml", "policies/gates/gate.yaml"], files.Select(f => f.Path));
            Assert.All(files, f => Assert.Null(f.Unreadable));
            Assert.Equal("name: fraud\n", Encoding.UTF8.GetString(files[0].Content));
        }

        [Fact]
        public void Should_Not_Follow_An_Absolute_Link_Even_Into_The_Repository()
        {
            // Given a model linked to a shared file by its absolute path on this machine
            Write("shared/fraud.yaml", "name: fraud\n");
            var target = Path.Combine(_root.FullName, "shared", "fraud.yaml");
            Link("models/fraud/model.yaml", target);

            // When
            var files = SpecFileReader.Read(_root.FullName);

            // Then it is reported as the reconciler reports it in a commit, where that path does not exist
            var file = Assert.Single(files);
            Assert.Equal(SymbolicLinks.Absolute(target), file.Unreadable);
        }

        [Fact]
        public void Should_Not_Follow_A_Link_Through_An_Absolute_Link_Of_The_Repository()
        {
            // Given a folder of the repository linked by its absolute path, and a model linked through it
            Write("shared/fraud.yaml", "name: fraud\n");
            Link("shared-link", Path.Combine(_root.FullName, "shared"));
            Link("models/fraud/model.yaml", "../../shared-link/fraud.yaml");

            // When
            var files = SpecFileReader.Read(_root.FullName);

            // Then it is refused as in a commit, where the absolute path leads nowhere
            var file = Assert.Single(files);
            Assert.Equal(SymbolicLinks.Absolute("../../shared-link/fraud.yaml"), file.Unreadable);
        }

        [Fact]
        public void Should_Judge_A_Link_By_Where_The_Linked_Folders_It_Passes_Through_Lead()
        {
            // Given links whose targets pass through a linked folder inside the repository, and one out of it
            var outside = Directory.CreateTempSubdirectory("gitops-reader-outside-");
            try
            {
                File.WriteAllText(Path.Combine(outside.FullName, "model.yaml"), "name: elsewhere\n");
                Write("shared/fraud.yaml", "name: fraud\n");
                Link("shared-link", "shared");
                Link("escape", Path.GetRelativePath(_root.FullName, outside.FullName));
                Link("models/fraud/model.yaml", "../../shared-link/fraud.yaml");
                Link("models/away/model.yaml", "../../escape/model.yaml");

                // When
                var files = SpecFileReader.Read(_root.FullName);

                // Then the first is read; the second leads out of the repository, though its path does not say so
                var reasons = files.ToDictionary(f => f.Path, f => f.Unreadable);
                Assert.Equal(["models/away/model.yaml", "models/fraud/model.yaml"], reasons.Keys);
                Assert.Equal(SymbolicLinks.Outside("../../escape/model.yaml"), reasons["models/away/model.yaml"]);
                Assert.Null(reasons["models/fraud/model.yaml"]);
            }
            finally
            {
                outside.Delete(recursive: true);
            }
        }

        [Fact]
        public void Should_Return_Each_Link_That_Cannot_Be_Followed_With_Its_Reason_Instead_Of_Skipping_It()
        {
            // Given links out of the repository (by a relative and by an absolute path), to nothing, to a folder they are
            // in, and round in a loop
            var outside = Directory.CreateTempSubdirectory("gitops-reader-outside-");
            try
            {
                File.WriteAllText(Path.Combine(outside.FullName, "model.yaml"), "name: elsewhere\n");
                Write("models/kept/model.yaml", "name: kept\n");
                var away = Path.GetRelativePath(Path.Combine(_root.FullName, "models", "away"), Path.Combine(outside.FullName, "model.yaml"));
                Link("models/away/model.yaml", away);
                Link("models/gone.yaml", "nowhere.yaml");
                Link("models/kept/again", "..");
                Link("policies/a.yaml", "b.yaml");
                Link("policies/b.yaml", "a.yaml");
                Link("policies/shared", outside.FullName);
                Link("policies/README.md", "missing.md");

                // When
                var files = SpecFileReader.Read(_root.FullName);

                // Then
                var reasons = files.ToDictionary(f => f.Path, f => f.Unreadable);
                Assert.Equal(["models/away/model.yaml", "models/gone.yaml", "models/kept/again", "models/kept/model.yaml", "policies/a.yaml", "policies/b.yaml", "policies/shared"],
                    reasons.Keys);
                Assert.Equal(SymbolicLinks.Outside(away), reasons["models/away/model.yaml"]);
                Assert.Equal(SymbolicLinks.Missing("nowhere.yaml"), reasons["models/gone.yaml"]);
                Assert.Equal(SymbolicLinks.Ancestor(".."), reasons["models/kept/again"]);
                Assert.Null(reasons["models/kept/model.yaml"]);
                Assert.Equal(SymbolicLinks.Loop("b.yaml"), reasons["policies/a.yaml"]);
                Assert.Equal(SymbolicLinks.Absolute(outside.FullName), reasons["policies/shared"]);
            }
            finally
            {
                outside.Delete(recursive: true);
            }
        }

        [Fact]
        public void Should_Have_The_Loader_Report_A_Link_Not_Followed_At_Its_Path()
        {
            // Given
            Link("models/gone/model.yaml", "../../nowhere.yaml");

            // When
            var result = SpecLoader.Load(SpecFileReader.Read(_root.FullName));

            // Then
            var finding = Assert.Single(result.Diagnostics);
            Assert.Equal("GITOPS0020", finding.Id);
            Assert.Equal("models/gone/model.yaml", finding.Span.File);
            Assert.Equal(SymbolicLinks.Missing("../../nowhere.yaml"), finding.Message);
        }

        private void Link(string relative, string target)
        {
            var path = Path.Combine(_root.FullName, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.CreateSymbolicLink(path, target);
        }

        private void Write(string relative, string content)
        {
            var path = Path.Combine(_root.FullName, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }

        /// <summary>A Unix socket where a spec file is expected: listed like a file, but opening it fails. It stays
        /// until the test ends (closing the socket removes its file).</summary>
        private void Unreadable(string relative)
        {
            var path = Path.Combine(_root.FullName, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _sockets.Add(socket);
            socket.Bind(new UnixDomainSocketEndPoint(path));
        }
    }
}
