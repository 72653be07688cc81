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
