namespace InferenceServer.Api.Tests.Observability;

/// <summary>
/// Tests that read an engine gauge's value from <c>/metrics</c> run alone. OpenTelemetry's meter provider listens to
/// every meter named <c>InferenceServer</c> in the process (it does not tell one host's <c>IMeterFactory</c> from
/// another's), so while another test's host is alive its same-named observable gauges feed the same metric stream and
/// the exported value may be the other engine's (a CI run once read another host's queue length this way).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetersCollection
{
    public const string Name = "process-wide meters";
}
