using Microsoft.Extensions.Options;

namespace InferenceServer.Core.Options;

/// <summary>Startup validation of the "Model" section (the file must exist; sizes must be consistent).</summary>
public sealed class ModelOptionsValidator : IValidateOptions<ModelOptions>
{
    private readonly Func<string, string?> _resolve;

    public ModelOptionsValidator()
        : this(path => ModelPathResolver.TryResolve(path))
    {
    }

    /// <summary>For tests: a custom path resolution (returns the existing file or null).</summary>
    public ModelOptionsValidator(Func<string, string?> resolve) => _resolve = resolve;

    public ValidateOptionsResult Validate(string? name, ModelOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Add(ModelPathResolver.NotFoundMessage(options.Path ?? ""));
        }
        else if (_resolve(options.Path) is null)
        {
            errors.Add(ModelPathResolver.NotFoundMessage(options.Path));
        }

        if (!string.IsNullOrWhiteSpace(options.ChatTemplateFile))
        {
            if (!string.IsNullOrWhiteSpace(options.ChatTemplate))
            {
                errors.Add("Set Model:ChatTemplate or Model:ChatTemplateFile, not both.");
            }

            if (_resolve(options.ChatTemplateFile) is null)
            {
                errors.Add($"Model:ChatTemplateFile '{options.ChatTemplateFile}' was not found (tried {string.Join(", ", ModelPathResolver.Candidates(options.ChatTemplateFile).Select(c => $"'{c}'"))}).");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.NativeLibraryDirectory))
        {
            var directory = System.IO.Path.GetFullPath(options.NativeLibraryDirectory);
            var llama = NativeLibraryFiles.Llama(directory);
            if (!File.Exists(llama))
            {
                errors.Add(Directory.Exists(directory)
                    ? $"Model:NativeLibraryDirectory '{directory}' holds no {System.IO.Path.GetFileName(llama)}."
                    : $"Model:NativeLibraryDirectory '{directory}' does not exist.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.CpuVariantsDirectory))
        {
            var directory = System.IO.Path.GetFullPath(options.CpuVariantsDirectory);
            if (!string.IsNullOrWhiteSpace(options.NativeLibraryDirectory))
            {
                errors.Add("Model:CpuVariantsDirectory and Model:NativeLibraryDirectory are both set: a native library directory holds the one CPU backend it loads, so set one of them.");
            }
            else if (!Directory.Exists(directory))
            {
                errors.Add($"Model:CpuVariantsDirectory '{directory}' does not exist.");
            }
            else if (Directory.GetFiles(directory, CpuVariantNames.FilePattern).Length == 0)
            {
                errors.Add($"Model:CpuVariantsDirectory '{directory}' holds no {CpuVariantNames.FilePattern} (docker/build-cpu-backend.sh --march variants builds them).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.CpuVariant) || !options.CpuVariant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            errors.Add($"Model:CpuVariant must be '{CpuVariantNames.Auto}', '{CpuVariantNames.Packaged}' or a variant's name (letters, digits, '-', '_'); got '{options.CpuVariant}'.");
        }

        if (options.ContextSize < 0)
        {
            errors.Add($"Model:ContextSize must be 0 (the model's training context) or positive; got {options.ContextSize}.");
        }

        if (options.BatchSize < 1)
        {
            errors.Add($"Model:BatchSize must be at least 1; got {options.BatchSize}.");
        }

        if (options.MicroBatchSize < 1)
        {
            errors.Add($"Model:MicroBatchSize must be at least 1; got {options.MicroBatchSize}.");
        }
        else if (options.MicroBatchSize > options.BatchSize)
        {
            errors.Add($"Model:MicroBatchSize ({options.MicroBatchSize}) must not exceed Model:BatchSize ({options.BatchSize}).");
        }

        if (options.Threads < -1)
        {
            errors.Add($"Model:Threads must be at least 1, or 0 (chosen from the model's size) or -1 (one per processor); got {options.Threads}.");
        }

        if (options.GpuLayers < -1)
        {
            errors.Add($"Model:GpuLayers must be -1 (all), 0 (CPU only) or a layer count; got {options.GpuLayers}.");
        }

        if (options.ContextSize > 0 && options.BatchSize > options.ContextSize)
        {
            errors.Add($"Model:BatchSize ({options.BatchSize}) must not exceed Model:ContextSize ({options.ContextSize}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
