namespace GitOps.Serving.Tests;

/// <summary>Tests that share one trained fraud model.</summary>
[CollectionDefinition(nameof(ServingCollection))]
public sealed class ServingCollection : ICollectionFixture<ServingFixture>;
