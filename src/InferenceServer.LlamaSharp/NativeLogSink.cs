using System.Text;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace InferenceServer.LlamaSharp;

/// <summary>
/// Receives llama.cpp's log callback (fragments that end with a newline, possibly from several native threads),
/// joins fragments per thread into lines and writes them to <see cref="ILogger"/>: debug/info at Debug,
/// warnings and errors at Warning. Remembers the last warning/error line so a failed load can say why.
/// </summary>
internal sealed class NativeLogSink
{
    private readonly ILogger _logger;
    private readonly ThreadLocal<LineBuffer> _buffers = new(() => new LineBuffer());
    private volatile string? _lastProblem;

    public NativeLogSink(ILogger logger)
    {
        _logger = logger;
        Callback = OnLog;
    }

    /// <summary>The delegate handed to llama.cpp; this instance keeps it alive.</summary>
    public NativeLogConfig.LLamaLogCallback Callback { get; }

    /// <summary>The last warning or error line llama.cpp logged, if any.</summary>
    public string? LastProblem => _lastProblem;

    public void ClearLastProblem() => _lastProblem = null;

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
            _lastProblem = line;
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
