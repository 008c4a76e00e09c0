using InferenceServer.Training.Data;
using InferenceServer.Training.Model;
using InferenceServer.Training.Native;
using InferenceServer.Training.Training;
using InferenceServer.TestKit;

namespace InferenceServer.Training.Tests.Training;

/// <summary>
/// Trains TestKit's tiny random GQA model (64 wide, 2 blocks, 4 heads / 2 KV heads, vocabulary 512) for a few
/// dozen ggml-opt steps on task text, once for the whole class, then saves it.
/// </summary>
public sealed class TinyTrainingFixture : IDisposable
{
    public const int SeqLen = 128;
    public const int Batch = 2;
    public const int Steps = 40;

    private readonly TinyModelOnCpu _tiny = new();

    public TinyTrainingFixture()
    {
        var backend = _tiny.Backend;
        Session = new OptimizationSession(Model, backend, SeqLen, Batch);

        var encoder = new ExampleEncoder(Tokenizer);
        var generator = new TaskGenerator(11, DataSplit.Train);
        var packer = new BatchPacker(() => encoder.EncodePlain(generator.NextPlainText()), Tokenizer.Padding, labelEveryPosition: true);
        var batch = new TokenBatch(SeqLen, Batch);
        for (var step = 0; step < Steps; step++)
        {
            packer.Fill(batch);
            Session.SetOptimizer(new OptimizerSettings(5e-3f));
            Losses.Add(Session.TrainStep(batch));
        }
        // Instruction tuning: loss on gathered answer positions only (a second opt context over the same weights).
        using (var answers = new OptimizationSession(Model, backend, SeqLen, Batch, gatherRows: 16))
        {
            var chat = new TaskGenerator(12, DataSplit.Train);
            var chatPacker = new BatchPacker(() => encoder.EncodeChat(chat.Next()), Tokenizer.Padding);
            for (var step = 0; step < 5; step++)
            {
                chatPacker.Fill(batch);
                answers.SetOptimizer(new OptimizerSettings(5e-3f));
                AnswerLosses.Add(answers.TrainStep(batch));
            }
        }
        SavedPath = Path.Combine(Path.GetTempPath(), $"training-tests-{Environment.ProcessId}-{Guid.NewGuid():N}.gguf");
        Model.Save(SavedPath);
    }

    internal LlamaSharpTokenizer Tokenizer => _tiny.Tokenizer;
    internal TrainableModel Model => _tiny.Model;
    internal OptimizationSession Session { get; }
    public List<double> Losses { get; } = [];
    public List<double> AnswerLosses { get; } = [];
    public string SavedPath { get; }

    public void Dispose()
    {
        Session.Dispose();
        _tiny.Dispose();
        File.Delete(SavedPath);
    }
}
