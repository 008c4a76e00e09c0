using System.Text;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Receives llama.cpp's log callback (fragments that end with a newline, possibly from several native threads),
/// joins fragments per thread into lines and writes them to <see cref="ILogger"/>: debug/info at Debug,
/// warnings and errors at Warning. Remembers recent warning/error lines so a failed load can say why.
/// </summary>
internal sealed class NativeLogSink
{
    private readonly ILogger _logger;
    private readonly ThreadLocal<LineBuffer> _buffers = new(() => new LineBuffer());
    private const int MaxProblems = 16;
    private readonly Lock _problemsLock = new();
    private readonly List<string> _problems = [];

    public NativeLogSink(ILogger logger)
    {
        _logger = logger;
        Callback = OnLog;
    }

    /// <summary>The delegate handed to llama.cpp; this instance keeps it alive.</summary>
    public NativeLogConfig.LLamaLogCallback Callback { get; }

    /// <summary>The most telling warning/error line since <see cref="ClearProblems"/>: llama.cpp's
    /// "error loading model: ..." reason when present, else the first problem line; null when there was none.</summary>
    public string? DescribeProblem()
    {
        const string marker = "error loading model: ";
        lock (_problemsLock)
        {
            foreach (var line in _problems)
            {
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    return line[(at + marker.Length)..].Trim();
                }
            }

            return _problems.Count > 0 ? _problems[0] : null;
        }
    }

    public void ClearProblems()
    {
        lock (_problemsLock)
        {
            _problems.Clear();
        }
    }

    private void OnLog(LLamaLogLevel level, string message)
    {
        var buffer = _buffers.Value!;
        if (level != LLamaLogLevel.Continue || buffer.Text.Length == 0)
        {
            buffer.Level = level == LLamaLogLevel.Continue ? LLamaLogLevel.Info : level;
        }

        buffer.Text.Append(message);
        if (!message.EndsWith('\n'))
        {
            return;
        }

        var line = buffer.Text.ToString().TrimEnd('\n', '\r');
        buffer.Text.Clear();
        if (line.Length == 0)
        {
            return;
        }

        if (buffer.Level is LLamaLogLevel.Warning or LLamaLogLevel.Error)
        {
            lock (_problemsLock)
            {
                if (_problems.Count < MaxProblems)
                {
                    _problems.Add(line);
                }
            }

            LlamaSharpLog.NativeWarning(_logger, line);
        }
        else
        {
            LlamaSharpLog.NativeDebug(_logger, line);
        }
    }

    private sealed class LineBuffer
    {
        public StringBuilder Text { get; } = new();
        public LLamaLogLevel Level { get; set; } = LLamaLogLevel.Info;
    }
}
