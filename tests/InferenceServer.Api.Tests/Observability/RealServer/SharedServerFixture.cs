namespace InferenceServer.Api.Tests.Observability.RealServer;

/// <summary>One real server process shared by the tests of a class (default settings).</summary>
public sealed class SharedServerFixture : ServerProcessFixture;
