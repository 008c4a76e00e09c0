using System.Runtime.InteropServices;
using LLama.Native;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// The three llama.cpp calls a grammar sampler needs that LLamaSharp 0.30 does not bind safely:
/// <c>SafeLLamaSamplerChainHandle.AddGrammar</c> adds the native result even when it is NULL (a grammar that does
/// not parse), which crashes the process on the next sample, and its <c>AddLazyGrammar</c> binding passes the
/// trigger-token count where llama.h expects the pattern count. Bound here to the libllama LLamaSharp already
/// loaded (same SONAME, so <c>dlopen</c> returns the loaded copy).
/// </summary>
internal sealed unsafe class LlamaGrammarApi
{
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint> _initGrammar;
    private readonly delegate* unmanaged[Cdecl]<nint, nint, void> _chainAdd;
    private readonly delegate* unmanaged[Cdecl]<nint, nint> _modelGetVocab;

    private LlamaGrammarApi(nint library)
    {
        _initGrammar = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint>)NativeLibrary.GetExport(library, "llama_sampler_init_grammar");
        _chainAdd = (delegate* unmanaged[Cdecl]<nint, nint, void>)NativeLibrary.GetExport(library, "llama_sampler_chain_add");
        _modelGetVocab = (delegate* unmanaged[Cdecl]<nint, nint>)NativeLibrary.GetExport(library, "llama_model_get_vocab");
    }

    /// <summary>Binds to the loaded libllama (call after a model is loaded).</summary>
    public static LlamaGrammarApi Load() => new(NativeLibrary.Load("libllama.so"));

    /// <summary>A sampler chain holding only the grammar sampler, or null when llama.cpp cannot parse the grammar
    /// (the reason goes to the native log).</summary>
    public SafeLLamaSamplerChainHandle? CreateGrammarChain(SafeLlamaModelHandle model, string gbnf, string root)
    {
        var vocab = _modelGetVocab(model.DangerousGetHandle());
        var gbnfUtf8 = Marshal.StringToCoTaskMemUTF8(gbnf);
        var rootUtf8 = Marshal.StringToCoTaskMemUTF8(root);
        nint grammar;
        try
        {
            grammar = _initGrammar(vocab, (byte*)gbnfUtf8, (byte*)rootUtf8);
        }
        finally
        {
            Marshal.FreeCoTaskMem(gbnfUtf8);
            Marshal.FreeCoTaskMem(rootUtf8);
        }

        if (grammar == 0)
        {
            return null;
        }

        var chainParams = LLamaSamplerChainParams.Default();
        chainParams.NoPerf = true;
        var chain = SafeLLamaSamplerChainHandle.Create(chainParams);
        _chainAdd(chain.DangerousGetHandle(), grammar); // the chain owns (and frees) the grammar sampler
        return chain;
    }
}
