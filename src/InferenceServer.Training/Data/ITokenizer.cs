namespace InferenceServer.Training.Data;

/// <summary>Tokenization exactly as llama.cpp does it for the model being trained.</summary>
internal interface ITokenizer
{
    int VocabSize { get; }
    bool AddBos { get; }
    int Bos { get; }
    int ImEnd { get; }
    int Padding { get; }
    int[] Tokenize(string text, bool addBos, bool special);
}
