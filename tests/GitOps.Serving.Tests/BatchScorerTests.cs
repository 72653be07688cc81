using System.Globalization;
using System.Net;
using System.Text;
using GitOps.Serving.Model;
using GitOps.Serving.Scoring;
using GitOps.Training.Datasets;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Serving.Tests;

public sealed class BatchScorerTests
{
    [Collection(nameof(ServingCollection))]
    public sealed class TheScoreMethod(ServingFixture fixture)
    {
        private string Dataset => Path.Combine(fixture.Root, "fraud.csv");

        [Fact]
        public async Task Should_Score_Every_Row_Of_The_Example_Dataset_As_The_Rest_Server_Does_Row_By_Row()
        {
            // Given: the example dataset the fixture generated and trained on, and the server running that model
            var lines = await File.ReadAllLinesAsync(Dataset);
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions(), NullLogger.Instance);
            await using var server = await ServingFixture.StartAsync(fixture.Options());
            using var client = Http.Client(server);

            // When: the whole file is scored in batches of 128
            var (summary, scores) = await ScoreAsync(model, lines, new ScoringOptions { BatchSize = 128 });

            // Then: every row equals one infer request with that row alone over HTTP
            Assert.True(summary.Complete);
            Assert.Equal(lines.Length - 1, summary.Rows);
            Assert.Equal(summary.Rows, summary.Scored);
            Assert.Equal(["row", "PredictedLabel", "Score", "Probability"], scores[0].Split(','));
            Assert.Equal(lines.Length, scores.Length);
            for (var r = 1; r < lines.Length; r++)
            {
                var features = lines[r].Split(',').Take(FraudDataset.Features.Count)
                    .Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                var (status, body) = await Http.PostAsync(client, "/v2/models/fraud/infer", ServingFixture.InferBody([features], 0, 1));
                Assert.Equal(HttpStatusCode.OK, status);
                var batch = scores[r].Split(',');
                Assert.Equal(r.ToString(CultureInfo.InvariantCulture), batch[0]);
                Assert.Equal(Http.Output(body, "PredictedLabel").GetProperty("data")[0].GetBoolean(), bool.Parse(batch[1]));
                var online = Http.Output(body, "Probability").GetProperty("data")[0].GetSingle();
                var scored = float.Parse(batch[3], CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(online - scored) <= 1e-6f, $"row {r}: online {online}, batch {scored}");
                Assert.True(Math.Abs(Http.Output(body, "Score").GetProperty("data")[0].GetSingle() - float.Parse(batch[2], CultureInfo.InvariantCulture)) <= 1e-5f);
            }
            Assert.Contains(scores.Skip(1), s => s.Split(',')[1] == "true");
        }

        [Fact]
        public async Task Should_Count_Malformed_Rows_By_Line_And_Score_The_Rest_When_Skipping()
        {
            // Given: a short row on line 3 and a word where a number belongs on line 5
            var lines = (await File.ReadAllLinesAsync(Dataset)).Take(8).ToList();
            lines[2] = "1,2,3";
            var cells = lines[4].Split(',');
            cells[2] = "high";
            lines[4] = string.Join(',', cells);
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions(), NullLogger.Instance);

            // When
            var (summary, scores) = await ScoreAsync(model, [.. lines], new ScoringOptions { BatchSize = 2, SkipMalformed = true });

            // Then
            Assert.Null(summary.Stopped);
            Assert.Equal(7, summary.Rows);
            Assert.Equal(5, summary.Scored);
            Assert.Equal(2, summary.Errors);
            Assert.Equal(["input.csv:3: expected 10 comma-separated values (the header's columns), found 3",
                "input.csv:5: column 'merchant_risk' (field 3) must be a number, found 'high'"], summary.ReportedErrors.Select(e => e.ToString()));
            Assert.Equal(["1", "3", "5", "6", "7"], scores.Skip(1).Select(s => s.Split(',')[0]));
        }

        [Fact]
        public async Task Should_Stop_At_The_First_Malformed_Row_And_Leave_The_Output_Unfinished_When_Failing()
        {
            // Given
            var lines = (await File.ReadAllLinesAsync(Dataset)).Take(600).ToList();
            lines[450] = lines[450] + ",extra";
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions(), NullLogger.Instance);
            var sink = new RecordingSink();

            // When
            var summary = await new BatchScorer(model, TimeProvider.System).ScoreAsync(
                await SourceAsync(lines), sink, new ScoringOptions { BatchSize = 100 }, null, CancellationToken.None);

            // Then
            Assert.Equal("input.csv:451", summary.Stopped?.Location);
            Assert.Equal(1, summary.Errors);
            Assert.Equal(450, summary.Rows);
            Assert.False(sink.Completed);
        }

        [Fact]
        public async Task Should_Stop_When_Malformed_Rows_Exceed_Max_Errors()
        {
            // Given
            var lines = (await File.ReadAllLinesAsync(Dataset)).Take(20).ToList();
            foreach (var i in new[] { 3, 6, 9 })
            {
                lines[i] = "x";
            }
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions(), NullLogger.Instance);
            var sink = new RecordingSink();

            // When
            var summary = await new BatchScorer(model, TimeProvider.System).ScoreAsync(
                await SourceAsync(lines), sink, new ScoringOptions { SkipMalformed = true, MaxErrors = 2 }, null, CancellationToken.None);

            // Then
            Assert.Equal("input.csv:10", summary.Stopped?.Location);
            Assert.Contains("3 malformed rows, more than maxErrors 2", summary.Stopped!.Message, StringComparison.Ordinal);
            Assert.False(sink.Completed);
        }

        [Fact]
        public async Task Should_Name_The_File_And_Header_Line_When_A_Feature_Column_Is_Missing()
        {
            // Given
            var lines = (await File.ReadAllLinesAsync(Dataset)).Take(5).ToList();
            lines[0] = lines[0].Replace("merchant_risk", "merchant_rsk", StringComparison.Ordinal);
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions(), NullLogger.Instance);

            // When
            var error = await Assert.ThrowsAsync<ScoringInputException>(() => ScoreAsync(model, [.. lines], new ScoringOptions()));

            // Then
            Assert.Equal("input.csv:1", error.Location);
            Assert.StartsWith("feature column 'merchant_risk' is not in the header", error.Problem, StringComparison.Ordinal);
            Assert.EndsWith("did you mean 'merchant_rsk'?", error.Problem, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Should_Copy_Key_Columns_Quoted_Beside_The_Scores()
        {
            // Given: an id column with a comma inside quotes
            var lines = (await File.ReadAllLinesAsync(Dataset)).Take(4).ToList();
            lines[0] = "id," + lines[0];
            lines[1] = "\"a,1\"," + lines[1];
            lines[2] = "b2," + lines[2];
            lines[3] = "\"c\"\"3\"," + lines[3];
            using var model = OnnxModel.Load(fixture.ModelPath, new ModelSessionOptions(), NullLogger.Instance);

            // When
            var (summary, scores) = await ScoreAsync(model, [.. lines], new ScoringOptions { Keys = ["id"] });

            // Then
            Assert.True(summary.Complete);
            Assert.Equal("id,PredictedLabel,Score,Probability", scores[0]);
            Assert.StartsWith("\"a,1\",", scores[1], StringComparison.Ordinal);
            Assert.StartsWith("b2,", scores[2], StringComparison.Ordinal);
            Assert.StartsWith("\"c\"\"3\",", scores[3], StringComparison.Ordinal);
        }

        private static async Task<(ScoringSummary Summary, string[] Scores)> ScoreAsync(OnnxModel model, IReadOnlyList<string> lines, ScoringOptions options)
        {
            var output = new StringWriter { NewLine = "\n" };
            ScoringSummary summary;
            await using (var sink = new CsvScoreSink(output))
            {
                summary = await new BatchScorer(model, TimeProvider.System).ScoreAsync(await SourceAsync(lines), sink, options, null, CancellationToken.None);
            }
            return (summary, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        private static async Task<IRowSource> SourceAsync(IReadOnlyList<string> lines) =>
            await CsvRowSource.OpenAsync("input.csv", new StringReader(string.Join('\n', lines) + "\n"), CancellationToken.None);

        private sealed class RecordingSink : IScoreSink
        {
            public bool Completed { get; private set; }

            public ValueTask StartAsync(System.Collections.Immutable.ImmutableArray<ScoreColumn> columns, CancellationToken ct) => ValueTask.CompletedTask;

            public ValueTask WriteAsync(ScoredBatch batch, CancellationToken ct) => ValueTask.CompletedTask;

            public ValueTask CompleteAsync(CancellationToken ct)
            {
                Completed = true;
                return ValueTask.CompletedTask;
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
