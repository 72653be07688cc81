using GitOps.Serving.Hosting;
using GitOps.Serving.Model;
using GitOps.Serving.Protocol;

namespace GitOps.Serving.Tests;

public sealed class InferenceServiceTests
{
    public sealed class TheChooseScoreOutputMethod
    {
        private static readonly TensorSignature Label = new("PredictedLabel", TensorDatatype.Bool, [-1, 1]);
        private static readonly TensorSignature Score = new("Score", TensorDatatype.Fp32, [-1, 1]);
        private static readonly TensorSignature Probability = new("Probability", TensorDatatype.Fp32, [-1, 1]);
        private static readonly TensorSignature Logits = new("logits", TensorDatatype.Fp64, [-1, 2]);

        [Fact]
        public void Should_Prefer_Probability_Then_Score_Then_The_First_Float_Output()
        {
            // Given // When // Then
            Assert.Equal("Probability", InferenceService.ChooseScoreOutput([Label, Score, Probability], null));
            Assert.Equal("Score", InferenceService.ChooseScoreOutput([Label, Score], null));
            Assert.Equal("logits", InferenceService.ChooseScoreOutput([Label, Logits], null));
            Assert.Null(InferenceService.ChooseScoreOutput([Label], null));
        }

        [Fact]
        public void Should_Refuse_A_Score_Output_The_Model_Does_Not_Have()
        {
            // Given // When
            var error = Assert.Throws<ModelLoadException>(() => InferenceService.ChooseScoreOutput([Label, Score], "Probability"));

            // Then
            Assert.Equal("score output 'Probability' is not an output of the model; outputs: PredictedLabel, Score", error.Message);
        }
    }
}
