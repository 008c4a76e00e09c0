using Microsoft.Extensions.Options;

namespace InferenceServer.Core.Options;

/// <summary>Startup validation of the "Engine" section.</summary>
public sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        var errors = new List<string>();
        if (options.MaxSequences is < 1 or > 256)
        {
            errors.Add($"Engine:MaxSequences must be between 1 and 256; got {options.MaxSequences}.");
        }

        if (options.QueueCapacity < 0)
        {
            errors.Add($"Engine:QueueCapacity must be 0 or more; got {options.QueueCapacity}.");
        }

        if (options.RetryAfterSeconds < 1)
        {
            errors.Add($"Engine:RetryAfterSeconds must be at least 1; got {options.RetryAfterSeconds}.");
        }

        if (options.MaxPrefillChunk < 1)
        {
            errors.Add($"Engine:MaxPrefillChunk must be at least 1; got {options.MaxPrefillChunk}.");
        }

        if (options.PrefixCacheHostMiB is < 0 or > 1 << 20)
        {
            errors.Add($"Engine:PrefixCacheHostMiB must be between 0 (off) and 1048576; got {options.PrefixCacheHostMiB}.");
        }

        if (options.ArrivalGatherMilliseconds is < 0 or > 100 || double.IsNaN(options.ArrivalGatherMilliseconds))
        {
            errors.Add($"Engine:ArrivalGatherMilliseconds must be between 0 and 100; got {options.ArrivalGatherMilliseconds}.");
        }

        if (options.PrefillStallFactor is not 0 and (< 1 or > 1000) || double.IsNaN(options.PrefillStallFactor))
        {
            errors.Add($"Engine:PrefillStallFactor must be 0 (off) or between 1 and 1000; got {options.PrefillStallFactor}.");
        }

        if (options.PrefillWhileDecoding < 1)
        {
            errors.Add($"Engine:PrefillWhileDecoding must be at least 1; got {options.PrefillWhileDecoding}.");
        }

        if (options.OutputBufferUpdates < 16)
        {
            errors.Add($"Engine:OutputBufferUpdates must be at least 16; got {options.OutputBufferUpdates}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
