using System.Globalization;

namespace InferenceServer.Soak;

/// <summary>Command line: --clients N --minutes M [--url URL | --model PATH] [--port P] [--configuration C] [--seed S].</summary>
internal sealed record SoakOptions(int Clients, double Minutes, Uri? Url, string? ModelPath, int Port, string Configuration, int Seed)
{
    public static SoakOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        return new SoakOptions(
            int.Parse(Value("--clients") ?? "8", CultureInfo.InvariantCulture),
            double.Parse(Value("--minutes") ?? "10", CultureInfo.InvariantCulture),
            Value("--url") is { } url ? new Uri(url) : null,
            Value("--model"),
            int.Parse(Value("--port") ?? "18090", CultureInfo.InvariantCulture),
            Value("--configuration") ?? "Release",
            int.Parse(Value("--seed") ?? "1", CultureInfo.InvariantCulture));
    }
}
