namespace InferenceServer.OpenAI.Tools;

/// <summary>Picks the call format from the chat template's source, as llama-server does from the template.</summary>
public static class ToolCallFormats
{
    public static ToolCallFormat Detect(string? templateSource)
    {
        if (templateSource is null)
        {
            return new GenericToolCallFormat();
        }

        if (templateSource.Contains(HermesToolCallFormat.Open, StringComparison.Ordinal))
        {
            return new HermesToolCallFormat();
        }

        if (templateSource.Contains(MistralToolCallFormat.Marker, StringComparison.Ordinal))
        {
            return new MistralToolCallFormat();
        }

        if (templateSource.Contains("<|start_header_id|>", StringComparison.Ordinal) && templateSource.Contains("tools", StringComparison.Ordinal))
        {
            return new Llama3ToolCallFormat();
        }

        return new GenericToolCallFormat();
    }
}
