using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text;
using System.Text.Json;
using InferenceServer.Api.Tests.Observability.RealServer;
using InferenceServer.Training.Data;
using OpenAI;
using OpenAI.Chat;
using Xunit.Abstractions;

namespace InferenceServer.Api.Tests.DefaultModel;

/// <summary>
/// Issue 4: the embedded default model (models/default.gguf, copied beside the server) served by the real server
/// process, asked the held-out questions the training tool evaluates on (unseen operand pairs) through
/// /v1/chat/completions with the official OpenAI SDK, greedy, 8 requests at a time (so answers come out of the
/// continuous batch). The per-task accuracy through HTTP must be what the training tool measured directly through
/// llama.cpp for the same file (docs/img/training-summary.json, written by the command that produced the model):
/// the server's template, tokenization, greedy sampling and batching must not cost answers. On top of that the
/// issue's targets hold through HTTP: arithmetic &gt;= 95 % and overall &gt;= 90 % (the shipped model: 97.0 % and
/// 93.5 %, docs/model-card.md).
/// </summary>
public sealed class DefaultModelAccuracyTests(ITestOutputHelper output)
{
    private const int Examples = 600;
    private const int Concurrency = 8;
    /// <summary>Answers per task (of 100) that may differ from the tool's run: the server decodes in batches with
    /// flash attention, which can flip a near-tie of the greedy argmax.</summary>
    private const int ToleratedFlipsPerTask = 3;
    private const double ArithmeticTarget = 0.95;
    private const double OverallTarget = 0.90;

    [Fact]
    public async Task Default_model_answers_held_out_questions_through_the_server()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Model__Path"] = "models/default.gguf",
            ["Model__Id"] = "default",
            ["Engine__MaxSequences"] = Concurrency.ToString(CultureInfo.InvariantCulture),
        });
        var chat = new ChatClient("default", new ApiKeyCredential("sk-test"), new OpenAIClientOptions
        {
            Endpoint = new Uri(server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(server.Client),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });
        var examples = HeldOutSet.Generate(Examples);
        var replies = new string[examples.Count];
        using var gate = new SemaphoreSlim(Concurrency);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await Task.WhenAll(examples.Select(async (example, i) =>
        {
            await gate.WaitAsync(timeout.Token);
            try
            {
                ChatCompletion completion = await chat.CompleteChatAsync(
                    example.Messages.Select(ToSdkMessage),
                    new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 32 },
                    timeout.Token);
                replies[i] = completion.Content.Count == 0 ? "" : completion.Content[0].Text;
            }
            finally
            {
                gate.Release();
            }
        }));

        var scored = examples.Select((e, i) => (Example: e, Reply: replies[i], Correct: AnswerChecker.IsCorrect(e, replies[i]))).ToList();
        var report = new StringBuilder();
        foreach (var task in scored.GroupBy(s => s.Example.Task))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"{task.Key,-16} {task.Count(s => s.Correct),3}/{task.Count()} = {Accuracy(task):P1}");
        }
        var arithmetic = scored.Where(s => s.Example.Task is TaskKind.Addition or TaskKind.Subtraction).ToList();
        report.AppendLine(CultureInfo.InvariantCulture, $"arithmetic       {Accuracy(arithmetic):P1}; overall {Accuracy(scored):P1}");
        foreach (var miss in scored.Where(s => !s.Correct).Take(15))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  miss [{miss.Example.Task}] {miss.Example.Question} -> {JsonSerializer.Serialize(miss.Reply)} (expected {JsonSerializer.Serialize(miss.Example.Answer)})");
        }
        output.WriteLine(report.ToString());

        var measured = TrainingToolAccuracy();
        foreach (var task in scored.GroupBy(s => s.Example.Task))
        {
            var expected = measured[task.Key];
            var actual = task.Count(s => s.Correct);
            Assert.True(Math.Abs(actual - expected) <= ToleratedFlipsPerTask,
                $"{task.Key}: {actual} correct through the server vs {expected} measured by the training tool:\n{report}");
        }
        Assert.True(Accuracy(arithmetic) >= ArithmeticTarget, $"Held-out arithmetic accuracy below {ArithmeticTarget:P0}:\n{report}");
        Assert.True(Accuracy(scored) >= OverallTarget, $"Held-out accuracy below {OverallTarget:P0}:\n{report}");
    }

    /// <summary>Correct answers per task from the summary the training command wrote next to the model.</summary>
    private static Dictionary<TaskKind, int> TrainingToolAccuracy()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "InferenceServer.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, "docs", "img", "training-summary.json")));
        var evaluation = summary.RootElement.GetProperty("Evaluation");
        Assert.Equal(Examples, evaluation.GetProperty("Total").GetInt32());
        return evaluation.GetProperty("ByTask").EnumerateArray().ToDictionary(
            t => Enum.Parse<TaskKind>(t.GetProperty("Task").GetString()!),
            t => t.GetProperty("Correct").GetInt32());
    }

    private static double Accuracy(IEnumerable<(TaskExample Example, string Reply, bool Correct)> rows)
    {
        var list = rows.ToList();
        return (double)list.Count(r => r.Correct) / list.Count;
    }

    private static ChatMessage ToSdkMessage(ChatTurn turn) => turn.Role switch
    {
        "system" => new SystemChatMessage(turn.Content),
        "assistant" => new AssistantChatMessage(turn.Content),
        _ => new UserChatMessage(turn.Content),
    };
}
