using LLama.Native;

namespace InferenceServer.Training.Evaluation;

/// <summary>Keeps llama.cpp's load chatter out of the CLI's progress output (warnings and errors still show).</summary>
internal static class LlamaLogFilter
{
    public static void Install() =>
        NativeLogConfig.llama_log_set((level, message) =>
        {
            if (level is LLamaLogLevel.Error or LLamaLogLevel.Warning) Console.Error.Write(message);
        });
}
