namespace InferenceServer.LlamaSharp;

/// <summary>
/// Chooses, for each saved KV state of <see cref="NativeKvState.HugePageBytes"/> or more, between memory advised for
/// transparent huge pages and plain small pages, by what writing a state has cost in each (milliseconds per MiB, a
/// moving average). A fresh page's first write dominates a save, and which kind faults cheaper depends on the host:
/// on one VM small pages cost 9-12 ms per 3.4 MB and huge pages 2.7-4.9, on another 1.8 against 11
/// (docs/engine-notes.md). The first save of each kind measures it; afterwards the cheaper kind is used and the other
/// is measured again after <see cref="ProbeInterval"/> saves, since the host's state changes (huge pages it has just
/// freed are cheap, new ones are not). A probe stalls every running stream for its save, and where the other kind stays
/// <see cref="DearRatio"/> times dearer or more (fresh huge pages took 9-32 ms per 3.4 MB against 1.1-1.3 ms for small
/// pages on one VM, so one probe in 16 saves was most of their average), each such probe doubles the interval up to
/// <see cref="MaxProbeInterval"/>; a probe that finds it closer returns to <see cref="ProbeInterval"/>.
/// Not thread-safe: the engine loop saves states.
/// </summary>
internal sealed class StatePagePolicy
{
    /// <summary>Saves before the kind not in use is measured again (the shortest interval).</summary>
    public const int ProbeInterval = 16;

    /// <summary>The longest interval between two measurements of the kind not in use.</summary>
    public const int MaxProbeInterval = 256;

    /// <summary>How many times dearer a probed kind must be for the next probe to wait twice as long.</summary>
    public const double DearRatio = 2.0;

    private const double Smoothing = 0.3;
    private readonly bool _hugePagesAvailable;
    private double _hugeMsPerMiB = double.NaN;
    private double _smallMsPerMiB = double.NaN;
    private int _sinceProbe;
    private int _probeInterval = ProbeInterval;
    private bool? _probedKind; // the kind the last probe handed out, until its cost is recorded

    /// <param name="hugePagesAvailable">Whether the platform can advise huge pages at all (Linux).</param>
    public StatePagePolicy(bool hugePagesAvailable) => _hugePagesAvailable = hugePagesAvailable;

    /// <summary>Whether the next state of <paramref name="bytes"/> should be allocated for huge pages.</summary>
    public bool UseHugePages(long bytes)
    {
        if (!_hugePagesAvailable || bytes < NativeKvState.HugePageBytes)
        {
            return false;
        }

        if (double.IsNaN(_hugeMsPerMiB))
        {
            return true;
        }

        if (double.IsNaN(_smallMsPerMiB))
        {
            return false;
        }

        bool huge = _hugeMsPerMiB <= _smallMsPerMiB;
        if (++_sinceProbe >= _probeInterval)
        {
            _sinceProbe = 0;
            _probedKind = !huge;
            return !huge;
        }

        return huge;
    }

    /// <summary>Records that writing a state of <paramref name="bytes"/> into memory of that kind took
    /// <paramref name="elapsed"/>. States below the huge-page size say nothing about the choice and are ignored.</summary>
    public void Record(bool hugePages, long bytes, TimeSpan elapsed)
    {
        if (bytes < NativeKvState.HugePageBytes)
        {
            return;
        }

        double msPerMiB = elapsed.TotalMilliseconds / (bytes / (1024.0 * 1024.0));
        if (_probedKind == hugePages)
        {
            _probedKind = null;
            double inUse = hugePages ? _smallMsPerMiB : _hugeMsPerMiB;
            _probeInterval = msPerMiB >= DearRatio * inUse ? Math.Min(2 * _probeInterval, MaxProbeInterval) : ProbeInterval;
        }

        ref double average = ref hugePages ? ref _hugeMsPerMiB : ref _smallMsPerMiB;
        average = double.IsNaN(average) ? msPerMiB : average + Smoothing * (msPerMiB - average);
    }

    /// <summary>The moving averages (NaN until measured), for tests.</summary>
    public (double HugeMsPerMiB, double SmallMsPerMiB) Costs => (_hugeMsPerMiB, _smallMsPerMiB);
}
