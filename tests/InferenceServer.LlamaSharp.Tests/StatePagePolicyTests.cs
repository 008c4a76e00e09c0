namespace InferenceServer.LlamaSharp.Tests;

/// <summary>Huge or small pages for saved KV states, chosen by the measured cost of writing them.</summary>
public class StatePagePolicyTests
{
    private const long State = 3_400_000;
    private static readonly TimeSpan Cheap = TimeSpan.FromMilliseconds(1.5), Dear = TimeSpan.FromMilliseconds(10);

    [Fact]
    public void Each_kind_is_measured_once_then_the_cheaper_one_is_used()
    {
        var policy = new StatePagePolicy(hugePagesAvailable: true);

        Assert.True(policy.UseHugePages(State));
        policy.Record(hugePages: true, State, Dear);
        Assert.False(policy.UseHugePages(State));
        policy.Record(hugePages: false, State, Cheap);

        Assert.False(policy.UseHugePages(State));
    }

    [Theory]
    [InlineData(true)]  // small pages measured dearer: huge pages from then on
    [InlineData(false)] // huge pages measured dearer: small pages from then on
    public void The_kind_not_in_use_is_measured_again_every_probe_interval(bool hugeCheaper)
    {
        var policy = new StatePagePolicy(hugePagesAvailable: true);
        policy.UseHugePages(State);
        policy.Record(hugePages: true, State, hugeCheaper ? Cheap : Dear);
        policy.UseHugePages(State);
        policy.Record(hugePages: false, State, hugeCheaper ? Dear : Cheap);

        var choices = Enumerable.Range(0, StatePagePolicy.ProbeInterval).Select(_ => policy.UseHugePages(State)).ToList();

        Assert.Equal(StatePagePolicy.ProbeInterval - 1, choices.Count(c => c == hugeCheaper));
        Assert.Equal(!hugeCheaper, choices[^1]);
    }

    [Fact]
    public void A_kind_that_stays_several_times_dearer_is_probed_half_as_often_each_time_up_to_a_limit()
    {
        var policy = Measured(huge: Dear, small: Cheap);

        var gaps = ProbeGaps(policy, saves: 1200, hugeCost: _ => Dear);

        Assert.Equal([16, 32, 64, 128, 256, 256], gaps.Take(6));
        Assert.All(gaps, g => Assert.True(g <= StatePagePolicy.MaxProbeInterval));
    }

    [Fact]
    public void A_probe_that_finds_the_kinds_close_again_returns_to_the_shortest_interval()
    {
        var policy = Measured(huge: Dear, small: Cheap);

        // Fresh huge pages are dear for the first two probes, then the host hands out warm ones (still a bit dearer).
        int probes = 0;
        var gaps = ProbeGaps(policy, saves: 200, hugeCost: _ => ++probes <= 2 ? Dear : Cheap * 1.5);

        Assert.Equal([16, 32, 64, 16, 16], gaps.Take(5));
    }

    [Fact]
    public void A_probe_that_finds_the_other_kind_cheaper_now_switches_to_it()
    {
        var policy = new StatePagePolicy(hugePagesAvailable: true);
        policy.Record(hugePages: true, State, Dear);
        policy.Record(hugePages: false, State, Cheap);
        for (int i = 0; i < 10; i++)
        {
            policy.Record(hugePages: true, State, TimeSpan.FromMilliseconds(0.3)); // the host now hands out warm huge pages
        }

        Assert.True(policy.UseHugePages(State));
    }

    /// <summary>A policy that has measured each kind once.</summary>
    private static StatePagePolicy Measured(TimeSpan huge, TimeSpan small)
    {
        var policy = new StatePagePolicy(hugePagesAvailable: true);
        policy.Record(hugePages: policy.UseHugePages(State), State, huge);
        policy.Record(hugePages: policy.UseHugePages(State), State, small);
        return policy;
    }

    /// <summary>Runs saves that cost what the host would charge and returns the saves between huge-page probes.</summary>
    private static List<int> ProbeGaps(StatePagePolicy policy, int saves, Func<int, TimeSpan> hugeCost)
    {
        var gaps = new List<int>();
        int since = 0;
        for (int save = 0; save < saves; save++)
        {
            bool huge = policy.UseHugePages(State);
            since++;
            if (huge)
            {
                gaps.Add(since);
                since = 0;
            }

            policy.Record(huge, State, huge ? hugeCost(save) : Cheap);
        }

        return gaps;
    }

    [Fact]
    public void States_below_a_huge_page_and_platforms_without_huge_pages_always_get_small_pages()
    {
        Assert.False(new StatePagePolicy(hugePagesAvailable: true).UseHugePages(NativeKvState.HugePageBytes - 1));
        Assert.False(new StatePagePolicy(hugePagesAvailable: false).UseHugePages(State));

        var policy = new StatePagePolicy(hugePagesAvailable: true);
        policy.Record(hugePages: false, 1000, TimeSpan.FromSeconds(1)); // says nothing about large states
        Assert.True(double.IsNaN(policy.Costs.SmallMsPerMiB));
    }
}
