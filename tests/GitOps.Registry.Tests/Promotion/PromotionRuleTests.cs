using System.Collections.Immutable;
using GitOps.Registry.Promotion;
using GitOps.Registry.Records;

namespace GitOps.Registry.Tests.Promotion;

public sealed class PromotionRuleTests
{
    private const string V3 = "9a75b5701b77";
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 14, 7, 0, TimeSpan.Zero);
    private static readonly TimeSpan Soak = TimeSpan.FromMinutes(30);

    private static RegistryEvent Event(string type, string version, DateTimeOffset at, string reason = "", string by = "reconciler",
        string? analyses = null) => new()
        {
            Type = type,
            Model = "fraud",
            Environment = "staging",
            Version = version,
            Commit = "c0ffee",
            At = at,
            By = by,
            Reason = reason,
            Evidence = analyses is null ? ImmutableSortedDictionary<string, string>.Empty
                : ImmutableSortedDictionary<string, string>.Empty.Add(EvidenceKeys.Analyses, analyses),
        };

    /// <summary>staging recorded v3, rolled it out by canary, and promoted it to stable at <see cref="Start"/>.</summary>
    private static List<RegistryEvent> ServedSinceStart() =>
    [
        Event(RegistryEventTypes.Deployed, "0ld0ld0ld0ld", Start.AddDays(-2), "version 0ld0ld0ld0ld deployed"),
        Event(RegistryEventTypes.Recorded, V3, Start.AddMinutes(-10), "passed 1 rule(s)"),
        Event(RegistryEventTypes.Promoted, V3, Start, "version 9a75b5701b77 promoted to stable", analyses: "step-1 [error-rate]: Successful (6 measurement(s))"),
    ];

    private static PromotionDecision Decide(IReadOnlyList<RegistryEvent> history, DateTimeOffset now, ModelRecord? record = null, ArtifactCheck? check = null)
    {
        var soaked = PromotionRule.Soaked("staging", "fraud", V3, history, Soak, now);
        return PromotionRule.Decide("staging", soaked, Soak, record ?? StoreFixture.Record(V3, sha: "aa"), check ?? new ArtifactCheck(true, "aa", null), now);
    }

    public sealed class TheSoakedMethod
    {
        [Fact]
        public void Should_Wait_Without_A_Time_When_The_Source_Never_Served_The_Version()
        {
            // Given a history where staging only ever served an older version
            var history = ServedSinceStart().Take(2).ToList();

            // When
            var soaked = PromotionRule.Soaked("staging", "fraud", V3, history, Soak, Start.AddHours(5));

            // Then
            Assert.False(soaked.Done);
            Assert.Null(soaked.ReadyAt);
            Assert.Contains("staging has not served fraud 9a75b5701b77 as stable (staging serves 0ld0ld0ld0ld", soaked.Reason);
        }

        [Fact]
        public void Should_Say_How_Long_And_When_Ready_When_The_Source_Served_It_Less_Than_The_Soak()
        {
            // When 4 minutes after staging promoted it
            var soaked = PromotionRule.Soaked("staging", "fraud", V3, ServedSinceStart(), Soak, Start.AddMinutes(4));

            // Then
            Assert.False(soaked.Done);
            Assert.Equal(Start.AddMinutes(30), soaked.ReadyAt);
            Assert.Equal("staging has served 9a75b5701b77 as stable for 4m of 30m soak; ready at 2026-11-30 14:37:00Z", soaked.Reason);
        }

        [Fact]
        public void Should_Be_Done_When_The_Source_Served_It_Exactly_The_Soak()
        {
            // When exactly 30 minutes after staging promoted it
            var soaked = PromotionRule.Soaked("staging", "fraud", V3, ServedSinceStart(), Soak, Start + Soak);

            // Then
            Assert.True(soaked.Done);
            Assert.Equal(RegistryEventTypes.Promoted, soaked.StableEvent!.Type);
        }

        [Fact]
        public void Should_Not_Promote_When_The_Source_Rolled_The_Version_Back_After_The_Soak_Started()
        {
            // Given staging served v3 from Start, then rolled it back 10 minutes later
            var history = ServedSinceStart();
            history.Add(Event(RegistryEventTypes.RolledBack, V3, Start.AddMinutes(10), "error-rate 0.31 >= 0.2"));

            // When long after the soak would have ended
            var soaked = PromotionRule.Soaked("staging", "fraud", V3, history, Soak, Start.AddHours(2));

            // Then
            Assert.False(soaked.Done);
            Assert.Null(soaked.ReadyAt);
            Assert.Contains("staging rolled 9a75b5701b77 back at 2026-11-30 14:17:00Z: error-rate 0.31 >= 0.2", soaked.Reason);
        }

        [Fact]
        public void Should_Start_The_Soak_Again_When_The_Source_Replaced_The_Version_And_Then_Served_It_Again()
        {
            // Given staging replaced v3 by v4 and went back to v3 an hour after Start
            var history = ServedSinceStart();
            history.Add(Event(RegistryEventTypes.Promoted, "b4b4b4b4b4b4", Start.AddMinutes(40)));
            history.Add(Event(RegistryEventTypes.Promoted, V3, Start.AddHours(1)));

            // When 20 minutes after it came back
            var soaked = PromotionRule.Soaked("staging", "fraud", V3, history, Soak, Start.AddMinutes(80));

            // Then the soak counts from the last time it became stable
            Assert.False(soaked.Done);
            Assert.Equal(Start.AddMinutes(90), soaked.ReadyAt);
        }

        [Fact]
        public void Should_Keep_The_Version_Stable_When_A_Later_Canary_Of_Another_Version_Was_Rolled_Back()
        {
            // Given a newer canary rolled back in staging after v3 became stable
            var history = ServedSinceStart();
            history.Add(Event(RegistryEventTypes.RolledBack, "b4b4b4b4b4b4", Start.AddMinutes(5), "error-rate 0.31 >= 0.2"));

            // When
            var soaked = PromotionRule.Soaked("staging", "fraud", V3, history, Soak, Start + Soak);

            // Then
            Assert.True(soaked.Done);
        }
    }

    public sealed class TheDecideMethod
    {
        [Fact]
        public void Should_Be_Ready_With_The_Evidence_When_Soaked_Passed_And_Byte_Identical()
        {
            // When
            var decision = Decide(ServedSinceStart(), Start.AddMinutes(31));

            // Then
            Assert.Equal(PromotionVerdict.Ready, decision.Verdict);
            Assert.Equal("staging", decision.Evidence[EvidenceKeys.Source]);
            Assert.Equal(V3, decision.Evidence[EvidenceKeys.Version]);
            Assert.Equal("aa", decision.Evidence[EvidenceKeys.Sha256]);
            Assert.Equal("2026-11-30T14:07:00.0000000+00:00", decision.Evidence[EvidenceKeys.StableSince]);
            Assert.Equal("30m", decision.Evidence[EvidenceKeys.Soak]);
            Assert.Equal("31m", decision.Evidence[EvidenceKeys.ServedFor]);
            Assert.Equal("step-1 [error-rate]: Successful (6 measurement(s))", decision.Evidence[EvidenceKeys.Analyses]);
            Assert.Contains("passed 1 rule(s)", decision.Evidence[EvidenceKeys.Gates]);
        }

        [Fact]
        public void Should_Wait_Until_The_Soak_Ends_When_It_Is_Not_Over()
        {
            // When
            var decision = Decide(ServedSinceStart(), Start.AddMinutes(29));

            // Then
            Assert.Equal(PromotionVerdict.Waiting, decision.Verdict);
            Assert.Equal(Start + Soak, decision.ReadyAt);
            Assert.Empty(decision.Evidence);
        }

        [Fact]
        public void Should_Refuse_Loudly_When_The_Artifact_No_Longer_Matches_Its_Record()
        {
            // Given the file in staging's store has another digest than its record
            var check = new ArtifactCheck(false, "bb", "the artifact of fraud 9a75b5701b77 at 'file:///store/fraud/9a75b5701b77/model.onnx' has sha256 bb, but its record says aa: it was changed after it was recorded and is refused");

            // When
            var decision = Decide(ServedSinceStart(), Start.AddHours(1), check: check);

            // Then
            Assert.Equal(PromotionVerdict.Refused, decision.Verdict);
            Assert.Contains("has sha256 bb, but its record says aa", decision.Reason);
            Assert.Empty(decision.Evidence);
        }

        [Fact]
        public void Should_Refuse_When_The_Version_Failed_Its_Gates_In_The_Source()
        {
            // When
            var decision = Decide(ServedSinceStart(), Start.AddHours(1), record: StoreFixture.Record(V3, passed: false));

            // Then
            Assert.Equal(PromotionVerdict.Refused, decision.Verdict);
            Assert.Contains("auc 0.81 < 0.85", decision.Reason);
        }

        [Fact]
        public void Should_Wait_When_The_Source_Has_No_Record_Of_The_Version()
        {
            // When
            var soaked = PromotionRule.Soaked("staging", "fraud", V3, ServedSinceStart(), Soak, Start.AddHours(1));
            var decision = PromotionRule.Decide("staging", soaked, Soak, null, null, Start.AddHours(1));

            // Then
            Assert.Equal(PromotionVerdict.Waiting, decision.Verdict);
            Assert.Contains("no record", decision.Reason);
        }
    }
}
