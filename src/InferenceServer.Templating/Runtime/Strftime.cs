using System.Globalization;
using System.Text;

namespace InferenceServer.Templating.Runtime;

/// <summary>Python's <c>datetime.strftime</c> directives (C locale) for <c>strftime_now</c>.</summary>
internal static class Strftime
{
    public static string Format(DateTime time, string format)
    {
        var culture = CultureInfo.InvariantCulture;
        var builder = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }

            var directive = format[++i];
            var noPad = false;
            if (directive == '-' && i + 1 < format.Length)
            {
                noPad = true;
                directive = format[++i];
            }

            string Pad(int number, int width) => noPad ? number.ToString(culture) : number.ToString(new string('0', width), culture);

            builder.Append(directive switch
            {
                'Y' => time.Year.ToString(culture),
                'y' => Pad(time.Year % 100, 2),
                'm' => Pad(time.Month, 2),
                'd' => Pad(time.Day, 2),
                'e' => time.Day.ToString(culture).PadLeft(2),
                'H' => Pad(time.Hour, 2),
                'I' => Pad(time.Hour % 12 == 0 ? 12 : time.Hour % 12, 2),
                'M' => Pad(time.Minute, 2),
                'S' => Pad(time.Second, 2),
                'f' => (time.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", culture),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'B' => culture.DateTimeFormat.GetMonthName(time.Month),
                'b' or 'h' => culture.DateTimeFormat.GetAbbreviatedMonthName(time.Month),
                'A' => culture.DateTimeFormat.GetDayName(time.DayOfWeek),
                'a' => culture.DateTimeFormat.GetAbbreviatedDayName(time.DayOfWeek),
                'j' => Pad(time.DayOfYear, 3),
                'w' => ((int)time.DayOfWeek).ToString(culture),
                'Z' => "",
                'z' => "",
                '%' => "%",
                _ => "%" + directive,
            });
        }

        return builder.ToString();
    }
}
