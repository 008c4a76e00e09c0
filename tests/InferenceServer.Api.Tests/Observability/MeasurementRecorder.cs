using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace InferenceServer.Api.Tests.Observability;

/// <summary>Captures the measurements of the instruments of one meter factory's meters (so parallel tests with
/// their own factories never see each other's data).</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Recorded> _recorded = new();
    private readonly ConcurrentDictionary<string, Instrument> _instruments = new();

    public MeasurementRecorder(IMeterFactory factory, string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                _instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public IReadOnlyDictionary<string, Instrument> Instruments => _instruments;

    public IReadOnlyList<Recorded> For(string instrument) =>
        _recorded.Where(r => r.Instrument == instrument).ToList();

    public void CollectObservables() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _recorded.Enqueue(new Recorded(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    internal sealed record Recorded(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
}
