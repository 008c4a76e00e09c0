namespace InferenceServer.Training.Data;

/// <summary>
/// A [seqLen x batch] block of tokens with next-token targets (-1 = masked) and, per position, the index of the
/// packed example it belongs to within its row (attention can be kept inside an example: see
/// <c>OptimizationSession</c>'s document mask).
/// </summary>
internal sealed class TokenBatch(int seqLen, int batch)
{
    public int SeqLen { get; } = seqLen;
    public int BatchSize { get; } = batch;
    public int[] Tokens { get; } = new int[seqLen * batch];
    public int[] Targets { get; } = new int[seqLen * batch];
    public int[] Documents { get; } = new int[seqLen * batch];

    public int ActiveTargets => Targets.Count(t => t >= 0);
}

/// <summary>
/// Packs whole examples into fixed-length rows: every row starts with an example at position 0 (as inference
/// does), examples follow each other until the next one does not fit, the rest is masked padding (or, with
/// <c>labelEveryPosition</c>, every position is labelled with the next token of the row).
/// </summary>
internal sealed class BatchPacker(Func<EncodedExample> source, int padToken, bool labelEveryPosition = false)
{
    private const int MaxSkippedInARow = 10_000;
    private EncodedExample? _pending;

    public void Fill(TokenBatch batch)
    {
        for (var row = 0; row < batch.BatchSize; row++)
        {
            var offset = row * batch.SeqLen;
            var pos = 0;
            var document = 0;
            var skipped = 0;
            while (true)
            {
                var ex = _pending ?? source();
                _pending = null;
                if (ex.Length > batch.SeqLen)
                {
                    // Never split an example; a source whose examples never fit is a configuration error, not a hang.
                    if (++skipped == MaxSkippedInARow) throw new InvalidOperationException($"{MaxSkippedInARow} examples in a row are longer than a row of {batch.SeqLen} tokens.");
                    continue;
                }
                if (pos + ex.Length > batch.SeqLen)
                {
                    _pending = ex;
                    break;
                }
                ex.Tokens.CopyTo(batch.Tokens, offset + pos);
                ex.Targets.CopyTo(batch.Targets, offset + pos);
                batch.Documents.AsSpan(offset + pos, ex.Length).Fill(document++);
                pos += ex.Length;
            }
            for (var i = pos; i < batch.SeqLen; i++)
            {
                batch.Tokens[offset + i] = padToken;
                batch.Targets[offset + i] = -1;
                batch.Documents[offset + i] = document;
            }
            if (labelEveryPosition)
            {
                // Plain language modelling: every position predicts the next token of its row (padding after the end).
                for (var i = 0; i < batch.SeqLen; i++)
                {
                    batch.Targets[offset + i] = i + 1 < batch.SeqLen ? batch.Tokens[offset + i + 1] : padToken;
                }
            }
        }
    }
}
