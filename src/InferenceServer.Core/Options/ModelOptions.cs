namespace InferenceServer.Core.Options;

/// <summary>The "Model" section of appsettings.json: which GGUF file to load and how to build its context.</summary>
public sealed class ModelOptions
{
    public const string SectionName = "Model";

    /// <summary>Path to the GGUF file; relative paths resolve against the application's base directory first,
    /// then the working directory.</summary>
    public string Path { get; set; } = "models/default.gguf";
    /// <summary>Model id served in /v1/models and accepted as "model"; default: the file name without extension.</summary>
    public string? Id { get; set; }
    /// <summary>Extra names accepted as "model" for this model.</summary>
    public List<string> Aliases { get; set; } = [];
    /// <summary>KV cells shared by all sequences (llama.cpp n_ctx). 0 = the model's training context.</summary>
    public int ContextSize { get; set; } = 4096;
    /// <summary>Most tokens per decode call (n_batch); also the per-step token budget of the scheduler.</summary>
    public int BatchSize { get; set; } = 2048;
    /// <summary>Physical micro-batch (n_ubatch); must not exceed <see cref="BatchSize"/>.</summary>
    public int MicroBatchSize { get; set; } = 512;
    /// <summary>CPU threads for decode: 0 = chosen from the model's size (<see cref="ThreadCount"/>), -1 = one per
    /// processor, n = exactly n.</summary>
    public int Threads { get; set; }
    /// <summary>Layers offloaded to the GPU (-1 = all, 0 = CPU only).</summary>
    public int GpuLayers { get; set; }
    /// <summary>Override the GGUF chat template: Jinja source (rendered by the project's Jinja engine), or a
    /// llama.cpp built-in name (chatml, llama3, mistral-v7, ...: one line, no braces). Null: the model's own
    /// <c>tokenizer.chat_template</c>, else chatml.</summary>
    public string? ChatTemplate { get; set; }
    /// <summary>A file holding the Jinja chat template (alternative to <see cref="ChatTemplate"/>); relative paths
    /// resolve like <see cref="Path"/>.</summary>
    public string? ChatTemplateFile { get; set; }
    public bool FlashAttention { get; set; } = true;
    /// <summary>One KV pool shared by every sequence (true: a sequence may grow to the whole context, prefix copies
    /// between slots are free), or one stream per slot as llama-server does with <c>-np</c> (false: each slot holds
    /// ContextSize / Engine:MaxSequences cells, attention walks only its own sequence's cells, and a prefix shared
    /// between slots is copied as a whole stream). Unset (default): one stream per slot when each slot's share holds
    /// the model's training context, else one pool (<see cref="KvCacheLayout"/>).</summary>
    public bool? UnifiedKvCache { get; set; }
    public bool UseMemoryMap { get; set; } = true;
    /// <summary>A directory holding a llama.cpp build to load instead of LLamaSharp's packaged one (libllama, libggml,
    /// libggml-base, libggml-cpu, optionally libmtmd), e.g. a CPU backend compiled for this machine's instruction set
    /// by <c>docker/build-cpu-backend.sh</c>. It must be ABI-compatible with the llama.cpp commit LLamaSharp binds.
    /// Relative paths resolve against the working directory. Empty: LLamaSharp picks its packaged variant.</summary>
    public string? NativeLibraryDirectory { get; set; }
    /// <summary>Which build of ggml's CPU backend runs the model when <see cref="NativeLibraryDirectory"/> is empty
    /// (Linux x64): <c>auto</c> (default) asks every variant shipped beside the server (haswell, alderlake, skylakex,
    /// icelake, zen4, sapphirerapids, ...: ggml's per-micro-architecture builds) whether this CPU runs it and loads the
    /// best, as llama.cpp's own loader does; <c>packaged</c> keeps LLamaSharp's build for the CPU's AVX level; a
    /// variant's name (e.g. <c>haswell</c>) loads that one.</summary>
    public string CpuVariant { get; set; } = CpuVariantNames.Auto;
    /// <summary>A directory of ggml CPU backend variants (<c>libggml-cpu-&lt;name&gt;.so</c>) that <see cref="CpuVariant"/>
    /// chooses from instead of those shipped beside the server, such as <c>docker/build-cpu-backend.sh --march variants</c>
    /// compiles (the Docker image's default): as portable as the shipped ones, built by this machine's compiler (the
    /// shipped ones are GCC 11 builds, slower in the quantized matrix kernels; docs/performance.md). Each must be
    /// ABI-compatible with the llama.cpp commit LLamaSharp binds. Relative paths resolve against the working directory.
    /// Empty (default): the shipped variants. Not used with <see cref="NativeLibraryDirectory"/>.</summary>
    public string? CpuVariantsDirectory { get; set; }
}
