namespace InferenceServer.Api.Tests.Observability;

/// <summary>Structural checks of a Prometheus/OpenMetrics text exposition: every sample belongs to a family
/// declared by one TYPE line, families are not repeated or interleaved, and OpenMetrics ends with "# EOF".</summary>
internal static class ExpositionLint
{
    private static readonly string[] Suffixes = ["_bucket", "_sum", "_count", "_total", "_created", "_info"];

    public static void AssertWellFormed(string text, bool openMetrics)
    {
        var lines = text.Split('\n');
        Assert.Equal("", lines[^1]);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var finished = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            if (line == "# EOF")
            {
                Assert.True(openMetrics, "# EOF in Prometheus text");
                Assert.Equal(lines.Length - 2, i);
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                var family = parts[2];
                Assert.True(declared.Add(family), "family declared twice: " + family);
                AssertReservedSuffixes(family, parts[3], openMetrics);
                if (current is not null)
                {
                    finished.Add(current);
                }

                current = family;
                continue;
            }

            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            var name = line[..line.IndexOfAny(['{', ' '])];
            var owner = FamilyOf(name, declared);
            Assert.True(owner is not null, "sample without TYPE: " + line);
            Assert.False(finished.Contains(owner!), "interleaved family: " + owner);
        }

        if (openMetrics)
        {
            Assert.Equal("# EOF", lines[^2]);
        }
    }

    /// <summary>promtool's lint: "_count"/"_sum"/"_bucket" only on histograms and summaries, "_total" only on
    /// counters (OpenMetrics family names carry no suffix, so only the first rule applies there).</summary>
    private static void AssertReservedSuffixes(string family, string type, bool openMetrics)
    {
        if (type is not ("histogram" or "summary") && !(openMetrics && type == "counter"))
        {
            foreach (var reserved in new[] { "_count", "_sum", "_bucket" })
            {
                Assert.False(family.EndsWith(reserved, StringComparison.Ordinal), $"{type} {family} ends with {reserved}");
            }
        }

        if (!openMetrics && type != "counter")
        {
            Assert.False(family.EndsWith("_total", StringComparison.Ordinal), $"{type} {family} ends with _total");
        }
    }

    private static string? FamilyOf(string sample, HashSet<string> declared)
    {
        if (declared.Contains(sample))
        {
            return sample;
        }

        foreach (var suffix in Suffixes)
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && declared.Contains(sample[..^suffix.Length]))
            {
                return sample[..^suffix.Length];
            }
        }

        return null;
    }
}
