using System.Globalization;
using System.Text;

namespace InferenceServer.Templating.Runtime;

/// <summary>Python's <c>str.format</c> for the forms templates use: <c>{}</c>, <c>{0}</c>, <c>{name}</c>,
/// <c>{{</c>/<c>}}</c>, and the <c>!r</c>/<c>!s</c> conversions. Format specs other than empty are refused.</summary>
internal static class StringFormat
{
    public static string Format(string format, CallArguments arguments)
    {
        var builder = new StringBuilder();
        var automatic = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '}' && i + 1 < format.Length && format[i + 1] == '}')
            {
                builder.Append('}');
                i++;
                continue;
            }

            if (c != '{')
            {
                builder.Append(c);
                continue;
            }

            if (i + 1 < format.Length && format[i + 1] == '{')
            {
                builder.Append('{');
                i++;
                continue;
            }

            var close = format.IndexOf('}', i);
            if (close < 0) throw new TemplateRuntimeException("Single '{' encountered in format string");
            var field = format[(i + 1)..close];
            var conversion = 's';
            var bang = field.IndexOf('!');
            if (bang >= 0)
            {
                conversion = field.Length > bang + 1 ? field[bang + 1] : 's';
                field = field[..bang];
            }

            if (field.Contains(':')) throw new TemplateRuntimeException("format specifications are not supported in str.format");
            Value value;
            if (field.Length == 0)
            {
                value = Positional(arguments, automatic++);
            }
            else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                value = Positional(arguments, index);
            }
            else
            {
                value = arguments.Named.FirstOrDefault(p => p.Key == field).Value ?? throw new TemplateRuntimeException($"KeyError: '{field}'");
            }

            builder.Append(conversion == 'r' ? PythonFormat.Repr(value) : PythonFormat.Str(value));
            i = close;
        }

        return builder.ToString();
    }

    private static Value Positional(CallArguments arguments, int index) =>
        index < arguments.Positional.Count ? arguments.Positional[index] : throw new TemplateRuntimeException($"Replacement index {index} out of range for positional args tuple");
}
