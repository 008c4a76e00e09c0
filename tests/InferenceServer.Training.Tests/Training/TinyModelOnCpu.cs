using InferenceServer.Training.Data;
using InferenceServer.Training.Model;
using InferenceServer.Training.Native;
using InferenceServer.TestKit;

namespace InferenceServer.Training.Tests.Training;

/// <summary>TestKit's tiny random GQA model loaded as trainable weights on a one-thread CPU backend, with llama.cpp's tokenizer for it.</summary>
internal sealed class TinyModelOnCpu : IDisposable
{
    public TinyModelOnCpu()
    {
        GgmlLibraryResolver.EnsureRegistered();
        Backend = GgmlBackend.ggml_backend_cpu_init();
        GgmlBackend.ggml_backend_cpu_set_n_threads(Backend, 1);
        Model = TrainableModel.Load(TestModels.TinyRandom, Backend);
        Tokenizer = new LlamaSharpTokenizer(TestModels.TinyRandom);
    }

    public nint Backend { get; }
    public TrainableModel Model { get; }
    public LlamaSharpTokenizer Tokenizer { get; }

    public void Dispose()
    {
        Tokenizer.Dispose();
        Model.Dispose();
        GgmlBackend.ggml_backend_free(Backend);
    }
}
