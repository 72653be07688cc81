using System.Globalization;
using GitOps.Serving.Model;
using GitOps.Serving.Scoring;
using GitOps.Training.Datasets;
using Microsoft.Extensions.Logging.Abstractions;
using Parquet;
using Parquet.Schema;

namespace GitOps.Serving.Tests;

public sealed class ParquetScoringTests
{
    [Collection(nameof(ServingCollection))]
    public sealed class TheScoreMethod(ServingFixture fixture) : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("gitops-parquet-scoring-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Fact]
        public async Task Should_Score_A_Parquet_File_To_Parquet_As_The_Same_Rows_In_Csv()
        {
            // Given: the first 700 rows of the example dataset as CSV and as Parquet (float features, a string id)
            var lines = (await File.ReadAllLinesAsync(Path.Combine(fixture.Root, "fraud.csv"))).Take(701).ToArray();
            var ids = Enumerable.Range(1, 700).Select(i => $"txn-{i}").ToArray();
            var csv = new[] { "id," + lines[0] }.Concat(lines.Skip(1).Select((l, i) => $"{ids[i]},{l}")).ToArray();
            var input = Path.Combine(_dir, "input.parquet");
            await WriteParquetAsync(input, ids, lines, nullAt: null);
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions(), NullLogger.Instance);
            var options = new ScoringOptions { BatchSize = 100, Keys = ["id"] };

            // When
            var output = Path.Combine(_dir, "scores.parquet");
            ScoringSummary summary;
            await using (var source = await ParquetRowSource.OpenAsync("input.parquet", input, CancellationToken.None))
            await using (var sink = new ParquetScoreSink(File.Create(output)))
            {
                summary = await new BatchScorer(model, TimeProvider.System).ScoreAsync(source, sink, options, null, CancellationToken.None);
            }
            var fromCsv = new StringWriter { NewLine = "\n" };
            await using (var source = await CsvRowSource.OpenAsync("input.csv", new StringReader(string.Join('\n', csv)), CancellationToken.None))
            await using (var sink = new CsvScoreSink(fromCsv))
            {
                await new BatchScorer(model, TimeProvider.System).ScoreAsync(source, sink, options, null, CancellationToken.None);
            }

            // Then: the Parquet output has typed columns holding what the CSV run wrote
            Assert.True(summary.Complete);
            Assert.Equal(700, summary.Scored);
            var expected = fromCsv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToArray();
            await using var reader = await ParquetReader.CreateAsync(output, null, CancellationToken.None);
            var fields = reader.Schema.GetDataFields();
            Assert.Equal(["id", "PredictedLabel", "Score", "Probability"], fields.Select(f => f.Name));
            // Parquet.Net reads a UTF-8 string column back as ReadOnlyMemory<char>.
            Assert.Equal([typeof(ReadOnlyMemory<char>), typeof(bool), typeof(float), typeof(float)], fields.Select(f => f.ClrType));
            var group = reader.OpenRowGroupReader(0);
            Assert.Equal(700, group.RowCount);
            var idColumn = new string?[700];
            var probabilities = new float[700];
            await group.ReadAsync(fields[0], idColumn.AsMemory(), null, CancellationToken.None);
            await group.ReadAsync(fields[3], probabilities.AsMemory(), null, CancellationToken.None);
            Assert.Equal(ids, idColumn);
            Assert.Equal(expected.Select(e => float.Parse(e[3], CultureInfo.InvariantCulture)), probabilities);
        }

        [Fact]
        public async Task Should_Count_A_Row_With_A_Null_Feature_As_Malformed_By_Its_Row_Number()
        {
            // Given: row 3 has no merchant_risk
            var lines = (await File.ReadAllLinesAsync(Path.Combine(fixture.Root, "fraud.csv"))).Take(6).ToArray();
            var input = Path.Combine(_dir, "input.parquet");
            await WriteParquetAsync(input, [.. Enumerable.Range(1, 5).Select(i => $"t{i}")], lines, nullAt: 3);
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions(), NullLogger.Instance);

            // When
            ScoringSummary summary;
            await using (var source = await ParquetRowSource.OpenAsync("input.parquet", input, CancellationToken.None))
            await using (var sink = new ParquetScoreSink(new MemoryStream()))
            {
                summary = await new BatchScorer(model, TimeProvider.System).ScoreAsync(source, sink, new ScoringOptions { SkipMalformed = true }, null, CancellationToken.None);
            }

            // Then
            Assert.Equal(4, summary.Scored);
            Assert.Equal("input.parquet:3: column 'merchant_risk' (field 4) must be a number, found ''", Assert.Single(summary.ReportedErrors).ToString());
        }

        [Fact]
        public async Task Should_Refuse_A_File_That_Is_Not_Parquet()
        {
            // Given
            var input = Path.Combine(_dir, "input.parquet");
            await File.WriteAllTextAsync(input, "amount,hour\n1,2\n");

            // When
            var error = await Assert.ThrowsAsync<ScoringInputException>(() => ParquetRowSource.OpenAsync("input.parquet", input, CancellationToken.None));

            // Then
            Assert.Equal("input.parquet", error.Location);
            Assert.StartsWith("not a Parquet file", error.Problem, StringComparison.Ordinal);
        }

        /// <summary>Writes an <c>id</c> string column and the feature columns of <paramref name="csv"/> (header first) as
        /// nullable floats; row <paramref name="nullAt"/> (1-based) has a null merchant_risk.</summary>
        private static async Task WriteParquetAsync(string path, string[] ids, string[] csv, int? nullAt)
        {
            var rows = csv.Skip(1).Select(l => l.Split(',')).ToArray();
            var idField = new DataField<string>("id");
            var features = FraudDataset.Features.Select(f => new DataField<float?>(f)).ToArray();
            await using var stream = File.Create(path);
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema([idField, .. features]), stream, null, false, CancellationToken.None);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(idField, ids, null);
            for (var f = 0; f < features.Length; f++)
            {
                var values = rows.Select((r, i) => nullAt == i + 1 && FraudDataset.Features[f] == "merchant_risk"
                    ? (float?)null
                    : float.Parse(r[f], CultureInfo.InvariantCulture)).ToArray();
                await group.WriteAsync<float>(features[f], values.AsMemory(), null, null, CancellationToken.None);
            }
        }
    }
}
