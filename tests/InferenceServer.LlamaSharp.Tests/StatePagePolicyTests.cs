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
