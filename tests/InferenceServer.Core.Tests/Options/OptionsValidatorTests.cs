using InferenceServer.Core.Options;

namespace InferenceServer.Core.Tests.Options;

public class OptionsValidatorTests
{
    private static readonly ModelOptionsValidator ExistingFile = new(path => path);

    [Fact]
    public void Default_engine_options_are_valid()
    {
        Assert.True(new EngineOptionsValidator().Validate(null, new EngineOptions()).Succeeded);
    }

    [Theory]
    [InlineData(0, 1, 1, 1, "Engine:MaxSequences")]
    [InlineData(257, 1, 1, 1, "Engine:MaxSequences")]
    [InlineData(8, -1, 1, 1, "Engine:QueueCapacity")]
    [InlineData(8, 0, 0, 1, "Engine:MaxPrefillChunk")]
    [InlineData(8, 0, 1, 0, "Engine:RetryAfterSeconds")]
    public void Bad_engine_options_name_their_key(int maxSequences, int queue, int chunk, int retry, string key)
    {
        var result = new EngineOptionsValidator().Validate(null, new EngineOptions
        {
            MaxSequences = maxSequences,
            QueueCapacity = queue,
            MaxPrefillChunk = chunk,
            RetryAfterSeconds = retry,
        });
        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage);
    }

    [Fact]
    public void Queue_capacity_zero_is_allowed()
    {
        Assert.True(new EngineOptionsValidator().Validate(null, new EngineOptions { QueueCapacity = 0 }).Succeeded);
    }

    [Fact]
    public void The_host_prefix_tier_budget_is_zero_or_a_positive_number_of_MiB()
    {
        var validator = new EngineOptionsValidator();
        Assert.True(validator.Validate(null, new EngineOptions { PrefixCacheHostMiB = 0 }).Succeeded);
        Assert.True(validator.Validate(null, new EngineOptions { PrefixCacheHostMiB = 8192 }).Succeeded);
        Assert.Contains("Engine:PrefixCacheHostMiB", validator.Validate(null, new EngineOptions { PrefixCacheHostMiB = -1 }).FailureMessage);
    }

    [Fact]
    public void Model_options_cross_field_checks()
    {
        Assert.True(ExistingFile.Validate(null, new ModelOptions()).Succeeded);
        Assert.Contains("Model:MicroBatchSize", ExistingFile.Validate(null, new ModelOptions { BatchSize = 256, MicroBatchSize = 512 }).FailureMessage);
        Assert.Contains("Model:ContextSize", ExistingFile.Validate(null, new ModelOptions { ContextSize = -1 }).FailureMessage);
        Assert.Contains("Model:Threads", ExistingFile.Validate(null, new ModelOptions { Threads = -2 }).FailureMessage);
        Assert.True(ExistingFile.Validate(null, new ModelOptions { Threads = 0 }).Succeeded);
        Assert.True(ExistingFile.Validate(null, new ModelOptions { Threads = -1 }).Succeeded);
        Assert.Contains("Model:BatchSize", ExistingFile.Validate(null, new ModelOptions { ContextSize = 128, BatchSize = 256, MicroBatchSize = 128 }).FailureMessage);
        Assert.True(ExistingFile.Validate(null, new ModelOptions { ContextSize = 0 }).Succeeded);
    }

    [Fact]
    public void Missing_model_file_message_names_the_key_candidates_and_override()
    {
        var result = new ModelOptionsValidator().Validate(null, new ModelOptions { Path = "no/such/model-" + Guid.NewGuid() + ".gguf" });
        Assert.True(result.Failed);
        Assert.Contains("Model:Path", result.FailureMessage);
        Assert.Contains("Model__Path", result.FailureMessage);
        Assert.Contains(AppContext.BaseDirectory.TrimEnd('/'), result.FailureMessage);

        Assert.Contains("Model:Path", new ModelOptionsValidator().Validate(null, new ModelOptions { Path = " " }).FailureMessage);
    }

    [Fact]
    public void A_chat_template_file_must_exist_and_exclude_inline_text()
    {
        var missing = new ModelOptionsValidator(path => path.EndsWith(".gguf", StringComparison.Ordinal) ? path : null)
            .Validate(null, new ModelOptions { Path = "m.gguf", ChatTemplateFile = "no/such/template.jinja" });
        Assert.True(missing.Failed);
        Assert.Contains("Model:ChatTemplateFile 'no/such/template.jinja' was not found", missing.FailureMessage, StringComparison.Ordinal);

        var both = ExistingFile.Validate(null, new ModelOptions { Path = "m.gguf", ChatTemplateFile = "t.jinja", ChatTemplate = "chatml" });
        Assert.Contains("not both", both.FailureMessage, StringComparison.Ordinal);

        Assert.True(ExistingFile.Validate(null, new ModelOptions { Path = "m.gguf", ChatTemplateFile = "t.jinja" }).Succeeded);
    }

    [Fact]
    public void A_native_library_directory_must_exist_and_hold_libllama()
    {
        var missing = ExistingFile.Validate(null, new ModelOptions { Path = "m.gguf", NativeLibraryDirectory = "no/such/dir-" + Guid.NewGuid() });
        Assert.True(missing.Failed);
        Assert.Contains("Model:NativeLibraryDirectory", missing.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("does not exist", missing.FailureMessage, StringComparison.Ordinal);

        var directory = Directory.CreateTempSubdirectory("native-").FullName;
        try
        {
            var empty = ExistingFile.Validate(null, new ModelOptions { Path = "m.gguf", NativeLibraryDirectory = directory });
            Assert.Contains($"holds no {Path.GetFileName(NativeLibraryFiles.Llama(directory))}", empty.FailureMessage, StringComparison.Ordinal);

            File.WriteAllBytes(NativeLibraryFiles.Llama(directory), []);
            Assert.True(ExistingFile.Validate(null, new ModelOptions { Path = "m.gguf", NativeLibraryDirectory = directory }).Succeeded);
            Assert.Null(NativeLibraryFiles.Mtmd(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_cpu_variants_directory_must_exist_hold_variants_and_not_come_with_a_native_library_directory()
    {
        var missing = ExistingFile.Validate(null, new ModelOptions { Path = "m.gguf", CpuVariantsDirectory = "no/such/dir-" + Guid.NewGuid() });
        Assert.Contains("Model:CpuVariantsDirectory", missing.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("does not exist", missing.FailureMessage, StringComparison.Ordinal);

        var directory = Directory.CreateTempSubdirectory("variants-").FullName;
        try
        {
            var empty = ExistingFile.Validate(null, new ModelOptions { Path = "m.gguf", CpuVariantsDirectory = directory });
            Assert.Contains("holds no libggml-cpu-*.so", empty.FailureMessage, StringComparison.Ordinal);

            File.WriteAllBytes(Path.Combine(directory, "libggml-cpu-zen4.so"), []);
            Assert.True(ExistingFile.Validate(null, new ModelOptions { Path = "m.gguf", CpuVariantsDirectory = directory }).Succeeded);

            File.WriteAllBytes(NativeLibraryFiles.Llama(directory), []);
            var both = ExistingFile.Validate(null, new ModelOptions { Path = "m.gguf", CpuVariantsDirectory = directory, NativeLibraryDirectory = directory });
            Assert.Contains("both set", both.FailureMessage, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("auto", true)]
    [InlineData("packaged", true)]
    [InlineData("zen4", true)]
    [InlineData("x86-64_v3", true)]
    [InlineData("", false)]
    [InlineData("../../lib/evil", false)]
    [InlineData("zen 4", false)]
    public void The_cpu_variant_is_auto_packaged_or_a_plain_name(string variant, bool valid)
    {
        var result = ExistingFile.Validate(null, new ModelOptions { Path = "m.gguf", CpuVariant = variant });
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Model:CpuVariant", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
