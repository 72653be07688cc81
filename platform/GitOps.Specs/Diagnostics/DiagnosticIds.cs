namespace GitOps.Specs.Diagnostics;

/// <summary>
/// Stable ids of the loader (GITOPS00xx), schema (GITOPS01xx) and semantic (GITOPS02xx) diagnostics.
/// Each id has a row in <c>docs/rules.md</c>; ids are never reused for another meaning.
/// </summary>
public static class DiagnosticIds
{
    // Loader: bytes and YAML.
    public const string YamlSyntax = "GITOPS0001";
    public const string TabIndentation = "GITOPS0002";
    public const string NotUtf8 = "GITOPS0003";
    public const string BinaryFile = "GITOPS0004";
    public const string FileTooLarge = "GITOPS0005";
    public const string TooManyDocuments = "GITOPS0006";
    public const string TooManyNodes = "GITOPS0007";
    public const string TooDeep = "GITOPS0008";
    public const string UndefinedAlias = "GITOPS0009";
    public const string DuplicateKey = "GITOPS0010";
    public const string NonScalarKey = "GITOPS0011";
    public const string UnsupportedTag = "GITOPS0012";
    public const string DocumentNotMapping = "GITOPS0013";
    public const string MissingApiVersion = "GITOPS0014";
    public const string UnknownApiVersion = "GITOPS0015";
    public const string MissingKind = "GITOPS0016";
    public const string UnknownKind = "GITOPS0017";
    public const string MissingName = "GITOPS0018";
    public const string TooManyFiles = "GITOPS0019";
    public const string LinkNotFollowed = "GITOPS0020";
    public const string SpecNotRead = "GITOPS0021";

    // Schema.
    public const string UnknownField = "GITOPS0101";
    public const string MissingField = "GITOPS0102";
    public const string WrongType = "GITOPS0103";
    public const string NotAllowedValue = "GITOPS0104";
    public const string OutOfRange = "GITOPS0105";
    public const string PatternMismatch = "GITOPS0106";
    public const string ExactlyOneOf = "GITOPS0107";
    public const string DuplicateItem = "GITOPS0108";

    // Semantic.
    public const string DuplicateName = "GITOPS0201";
    public const string UnknownReference = "GITOPS0202";
    public const string GpuPoolMissing = "GITOPS0203";
    public const string GpuQuotaExceeded = "GITOPS0204";
    public const string InvalidDuration = "GITOPS0205";
    public const string InvalidQuantity = "GITOPS0206";
    public const string PromotionCycle = "GITOPS0207";
    public const string InvalidSearchParameter = "GITOPS0208";
    public const string WeightDecreases = "GITOPS0209";
    public const string TrainerChoice = "GITOPS0210";
    public const string BuiltinNeedsInputs = "GITOPS0211";
    public const string ServingScale = "GITOPS0212";
    public const string ClusterTarget = "GITOPS0213";
    public const string DuplicateEntry = "GITOPS0214";
    public const string StepsNeedCanary = "GITOPS0215";
    public const string OverrideNotServed = "GITOPS0216";
    public const string ParallelismAboveTrials = "GITOPS0217";
    public const string ArtifactScheme = "GITOPS0218";
    public const string DatasetScheme = "GITOPS0219";
    public const string NetworkPeer = "GITOPS0220";
    public const string ArtifactTokenUnused = "GITOPS0221";
    public const string InvalidLabel = "GITOPS0222";
    public const string InvalidAnnotation = "GITOPS0223";
    public const string InvalidToleration = "GITOPS0224";
    public const string InvalidResourceName = "GITOPS0225";
    public const string InvalidObjectName = "GITOPS0226";
    public const string SharedNamespace = "GITOPS0227";
    public const string KpiAlertRange = "GITOPS0230";
    public const string LatencyBucket = "GITOPS0231";
    public const string GrafanaFolderUnused = "GITOPS0232";
    public const string UnknownKpi = "GITOPS0233";
    public const string GrpcRoutesUnused = "GITOPS0234";
    public const string RetrainTemplate = "GITOPS0240";
    public const string RetrainSchedule = "GITOPS0241";
    public const string RetrainTrigger = "GITOPS0242";
    public const string BatchSchedule = "GITOPS0250";
    public const string BatchLocation = "GITOPS0251";
    public const string BatchSettings = "GITOPS0252";
    public const string ServingCache = "GITOPS0253";
    public const string BuiltinSettings = "GITOPS0254";
}
