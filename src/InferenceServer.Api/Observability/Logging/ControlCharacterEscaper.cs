using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace InferenceServer.Api.Observability.Logging;

/// <summary>
/// Escapes control and bidirectional-format characters in every string property of a log event (client-supplied
/// model names, roles, paths, messages), so a newline in a request cannot forge a log line in the text format and
/// a right-to-left override cannot disguise one. "\n" becomes the two characters \n; others become \uXXXX.
/// </summary>
public sealed class ControlCharacterEscaper : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? escaped = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (value is ScalarValue { Value: string text } && NeedsEscaping(text))
            {
                (escaped ??= []).Add(new LogEventProperty(name, new ScalarValue(Escape(text))));
            }
        }

        if (escaped is not null)
        {
            foreach (var property in escaped)
            {
                logEvent.AddOrUpdateProperty(property);
            }
        }
    }

    public static bool NeedsEscaping(string text)
    {
        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case var _ when IsUnsafe(c): builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: builder.Append(c); break;
            }
        }

        return builder.ToString();
    }

    /// <summary>C0/C1 controls (tab included: it can align forged columns), line/paragraph separators and the
    /// bidirectional embedding, override and isolate characters.</summary>
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069';
}
