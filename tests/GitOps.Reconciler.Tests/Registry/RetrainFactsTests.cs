using System.Security.Cryptography;
using GitOps.Planning.Rendering;
using GitOps.Planning.Retraining;
using GitOps.Reconciler.Registry;
using GitOps.Registry.Stores;
using Xunit;

namespace GitOps.Reconciler.Tests.Registry;

public sealed class RetrainFactsTests
{
    private static readonly RetrainGeneration Generation = new(2, RetrainReasons.Drift, "score drift 0.31 > 0.2 for 1h (version abc)",
        "s3://data/fraud/2026-11-30.csv", new string('b', 64), new DateTimeOffset(2026, 11, 30, 3, 0, 0, TimeSpan.Zero),
        new string('a', 64), "s3://data/fraud/{date}.csv");

    public sealed class TheStoredText
    {
        [Fact]
        public void Should_Keep_A_Retrain_Generation_Through_Text_And_Combination_With_The_Cluster()
        {
            // Given
            var facts = RegistryFacts.Empty.WithTrained("fraud", "v1").WithRetrain("fraud", Generation);

            // When
            var read = DurableFacts.FromText(DurableFacts.ToText(facts));
            var combined = DurableFacts.Combine(read, RegistryFacts.Empty.WithTrained("fraud", "v2"));

            // Then
            Assert.Equal(Generation, read.Retrains["fraud"]);
            Assert.Equal(Generation, combined.Retrains["fraud"]);
            Assert.Equal(Generation, combined.WithTrained("fraud", "v3").WithHeld("fraud", "v3", new HeldVersion(HeldVersion.Waiting, "x")).Retrains["fraud"]);
        }

        [Fact]
        public void Should_Write_No_Retrain_Key_Without_Generations()
        {
            // When
            var text = DurableFacts.ToText(RegistryFacts.Empty.WithTrained("fraud", "v1"));

            // Then
            Assert.DoesNotContain("retrain", text);
        }
    }

    public sealed class TheDatasetDigests
    {
        [Fact]
        public async Task Should_Hash_A_Dataset_File_And_Say_When_It_Does_Not_Exist()
        {
            // Given
            var folder = Directory.CreateTempSubdirectory("gitops-datasets-");
            try
            {
                var bytes = "amount,is_fraud\n1,0\n"u8.ToArray();
                var path = Path.Combine(folder.FullName, "2026-11-30.csv");
                await File.WriteAllBytesAsync(path, bytes);
                using var http = new HttpClient();

                // When
                var found = await DatasetDigests.OfAsync(new Uri(path).AbsoluteUri, http, null, null, CancellationToken.None);
                var missing = await DatasetDigests.OfAsync(Path.Combine(folder.FullName, "2026-12-01.csv"), http, null, null, CancellationToken.None);

                // Then
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), found!.Sha256);
                Assert.Equal(bytes.Length, found.Bytes);
                Assert.Null(missing);
                await Assert.ThrowsAsync<ArtifactStoreException>(() => DatasetDigests.OfAsync("gs://data/x.csv", http, null, null, CancellationToken.None));
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        }
    }
}
