using InferenceServer.Core.Engine;

namespace InferenceServer.Core.Tests.Engine;

public class PrefillPacerTests
{
    /// <summary>A made-up device: a step costs a fixed part plus a part per decode token and per prompt token.</summary>
    private static double StepSeconds(int decode, int prompt, double perPromptToken = 0.020) => 0.030 + 0.015 * decode + perPromptToken * prompt;

    /// <summary>Runs paced steps of <paramref name="generating"/> streams plus one long prompt; returns the last nonzero budget.</summary>
    private static int Converge(PrefillPacer pacer, int generating, Func<int, double> seconds, int steps = 40)
    {
        var last = 0;
        for (var i = 0; i < steps; i++)
        {
            var budget = pacer.Budget(generating);
            pacer.Observe(generating, budget, seconds(budget));
            last = budget > 0 ? budget : last;
        }

        return last;
    }

    [Fact]
    public void A_stream_count_without_a_base_gets_a_decode_only_step_then_the_static_rule()
    {
        var pacer = new PrefillPacer(stallFactor: 2, initialBudget: 16, maxBudget: 2048, maxSequences: 64);
        Assert.Equal(0, pacer.Budget(8));
        pacer.Observe(8, 0, StepSeconds(8, 0));
        Assert.Equal(16, pacer.Budget(8));
        Assert.Equal(0, pacer.Budget(40));
        pacer.Observe(40, 0, StepSeconds(40, 0));
        Assert.Equal(40, pacer.Budget(40));
    }

    [Fact]
    public void The_base_is_measured_again_every_probe_interval()
    {
        var pacer = new PrefillPacer(stallFactor: 2, initialBudget: 16, maxBudget: 2048, maxSequences: 64);
        pacer.Observe(8, 0, StepSeconds(8, 0));
        var budgets = new List<int>();
        for (var i = 0; i < 3 * PrefillPacer.ProbeInterval; i++)
        {
            var budget = pacer.Budget(8);
            budgets.Add(budget);
            pacer.Observe(8, budget, StepSeconds(8, budget));
        }

        Assert.Equal(2, budgets.Count(b => b == 0));
        Assert.Equal(PrefillPacer.ProbeInterval, budgets.IndexOf(0));
    }

    [Fact]
    public void With_pacing_off_the_static_rule_holds_whatever_is_measured()
    {
        var pacer = new PrefillPacer(stallFactor: 0, initialBudget: 16, maxBudget: 2048, maxSequences: 64);
        pacer.Observe(8, 0, StepSeconds(8, 0));
        Assert.Equal(16, Converge(pacer, 8, p => StepSeconds(8, p)));
    }

    [Fact]
    public void Paced_steps_take_about_the_stall_factor_times_a_decode_step()
    {
        var pacer = new PrefillPacer(stallFactor: 2, initialBudget: 16, maxBudget: 2048, maxSequences: 64);
        pacer.Observe(8, 0, StepSeconds(8, 0)); // 150 ms
        var budget = Converge(pacer, 8, p => StepSeconds(8, p));
        Assert.InRange(StepSeconds(8, budget) / StepSeconds(8, 0), 1.8, 2.2);
        Assert.InRange(budget, 6, 9); // 150 ms allowed extra at 20 ms per prompt token
    }

    [Fact]
    public void The_budget_follows_a_prompt_whose_tokens_grow_dearer()
    {
        var pacer = new PrefillPacer(stallFactor: 2, initialBudget: 16, maxBudget: 2048, maxSequences: 64);
        pacer.Observe(8, 0, StepSeconds(8, 0));
        var early = Converge(pacer, 8, p => StepSeconds(8, p, perPromptToken: 0.010));
        var late = Converge(pacer, 8, p => StepSeconds(8, p, perPromptToken: 0.040));
        Assert.True(late < early / 3, $"early {early}, late {late}");
        Assert.InRange(StepSeconds(8, late, 0.040) / StepSeconds(8, 0), 1.6, 2.4);
    }

    [Fact]
    public void A_fast_device_gets_large_prompt_chunks()
    {
        var pacer = new PrefillPacer(stallFactor: 2, initialBudget: 16, maxBudget: 2048, maxSequences: 64);
        pacer.Observe(8, 0, 0.010);
        var budget = Converge(pacer, 8, p => 0.010 + 0.00001 * p);
        Assert.True(budget >= 512, $"budget {budget}");
    }
}
