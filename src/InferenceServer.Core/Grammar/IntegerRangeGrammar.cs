using System.Globalization;

namespace InferenceServer.Core.Grammar;

/// <summary>
/// GBNF for the decimal integers in [min, max] (either bound may be open), in canonical form (no leading zeros,
/// no "-0"). A closed range of same-length numbers is split digit by digit into prefix + [a-b] + [0-9]{k} pieces;
/// open ends allow up to 16 digits, like the unbounded integer rule.
/// </summary>
public static class IntegerRangeGrammar
{
    private const int MaxDigits = 16;
    private static readonly long MaxMagnitude = (long)Math.Pow(10, MaxDigits) - 1;

    public static string Build(long? min, long? max)
    {
        if (min is { } first && max is { } last && first > last)
        {
            throw new ArgumentException($"The range [{first}, {last}] is empty.");
        }

        var alternatives = new List<string>();
        // Negative part: -(magnitude) with magnitude in [max(1, -hi), -lo].
        if (min is null || min < 0)
        {
            var magnitudeLo = max is { } h && h < 0 ? -h : 1;
            var magnitudeHi = min is { } l ? -l : MaxMagnitude;
            foreach (var piece in NonNegative(magnitudeLo, Math.Min(magnitudeHi, MaxMagnitude)))
            {
                alternatives.Add("\"-\" " + piece);
            }
        }

        if (max is null || max >= 0)
        {
            var lo = Math.Max(min ?? 0, 0);
            var hi = Math.Min(max ?? MaxMagnitude, MaxMagnitude);
            alternatives.AddRange(NonNegative(lo, hi));
        }

        return alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives.Select(a => "(" + a + ")")) + ")";
    }

    /// <summary>Patterns whose union is exactly the canonical decimals of [lo, hi] (0 &lt;= lo &lt;= hi).</summary>
    private static IEnumerable<string> NonNegative(long lo, long hi)
    {
        if (lo > hi)
        {
            yield break;
        }

        for (var digits = Digits(lo); digits <= Digits(hi); digits++)
        {
            var from = Math.Max(lo, digits == 1 ? 0 : Pow10(digits - 1));
            var to = Math.Min(hi, Pow10(digits) - 1);
            if (from > to)
            {
                continue;
            }

            foreach (var piece in SameLength(from.ToString(CultureInfo.InvariantCulture), to.ToString(CultureInfo.InvariantCulture)))
            {
                yield return piece;
            }
        }
    }

    /// <summary>Patterns for the numbers between two decimals of the same length.</summary>
    private static IEnumerable<string> SameLength(string a, string b)
    {
        if (a == b)
        {
            yield return Gbnf.Literal(a);
            yield break;
        }

        if (a.Length == 1)
        {
            yield return Class(a[0], b[0]);
            yield break;
        }

        if (a[0] == b[0])
        {
            foreach (var rest in SameLength(a[1..], b[1..]))
            {
                yield return Gbnf.Literal(a[..1]) + " " + rest;
            }

            yield break;
        }

        var tail = a.Length - 1;
        var lowFull = a[1..].All(c => c == '0');
        var highFull = b[1..].All(c => c == '9');
        var middleFrom = lowFull ? a[0] : (char)(a[0] + 1);
        var middleTo = highFull ? b[0] : (char)(b[0] - 1);
        if (!lowFull)
        {
            foreach (var rest in SameLength(a[1..], new string('9', tail)))
            {
                yield return Gbnf.Literal(a[..1]) + " " + rest;
            }
        }

        if (middleFrom <= middleTo)
        {
            yield return Class(middleFrom, middleTo) + " [0-9]{" + tail.ToString(CultureInfo.InvariantCulture) + "}";
        }

        if (!highFull)
        {
            foreach (var rest in SameLength(new string('0', tail), b[1..]))
            {
                yield return Gbnf.Literal(b[..1]) + " " + rest;
            }
        }
    }

    private static string Class(char from, char to) => from == to ? Gbnf.Literal(from.ToString()) : $"[{from}-{to}]";

    private static int Digits(long value) => value.ToString(CultureInfo.InvariantCulture).Length;

    private static long Pow10(int exponent)
    {
        long result = 1;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
