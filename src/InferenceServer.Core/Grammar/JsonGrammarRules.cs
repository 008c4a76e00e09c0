namespace InferenceServer.Core.Grammar;

/// <summary>
/// The GBNF rules every JSON grammar shares. Whitespace is bounded (nothing, one space, or one newline plus at most
/// 20 indentation characters between tokens) so that a grammar whose instances are bounded always finishes;
/// numbers are bounded too (at most 16 integral and 16 fractional digits). <c>\u</c> escapes exclude the UTF-16
/// surrogate range, so every string parses.
/// </summary>
public static class JsonGrammarRules
{
    public const string Space = "space";
    public const string Char = "char";

    /// <summary>Rule name to body, for the rules the converter references by name.</summary>
    public static IReadOnlyDictionary<string, string> Primitives { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Space] = """| " " | "\n" [ \t]{0,20}""",
        [Char] = """[^"\\\x7F\x00-\x1F] | [\\] (["\\/bfnrt] | "u" hex-no-surrogate)""",
        ["hex"] = "[0-9a-fA-F]",
        ["hex-no-surrogate"] = "([0-9a-cA-CeEfF] hex hex hex) | ([dD] [0-7] hex hex)",
        ["integral-part"] = "[0] | [1-9] [0-9]{0,15}",
        ["decimal-part"] = "[0-9]{1,16}",
        ["boolean"] = """("true" | "false") space""",
        ["null"] = "\"null\" space",
        ["integer"] = "(\"-\"? integral-part) space",
        ["number"] = """("-"? integral-part) ("." decimal-part)? ([eE] [-+]? integral-part)? space""",
        ["string"] = "\"\\\"\" char* \"\\\"\" space",
        ["value"] = "object | array | string | number | boolean | null",
        ["object"] = """ "{" space ( string ":" space value ("," space string ":" space value)* )? "}" space""",
        ["array"] = """ "[" space ( value ("," space value)* )? "]" space""",
        ["date"] = """[1-2] [0-9]{3} "-" ( ("0" [13578] | "1" [02]) "-" day-31 | ("0" [469] | "11") "-" day-30 | "02-" day-28 )""",
        ["day-31"] = "\"0\" [1-9] | [12] [0-9] | \"3\" [01]",
        ["day-30"] = "\"0\" [1-9] | [12] [0-9] | \"30\"",
        ["day-28"] = "\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8]",
        ["time"] = """([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ("." [0-9]{1,3})? ("Z" | [+-] ([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9])""",
        ["date-time"] = """date "T" time""",
        ["uuid"] = """hex{8} "-" hex{4} "-" hex{4} "-" hex{4} "-" hex{12}""",
        ["email"] = """[a-z0-9]{1,16} ("." [a-z0-9]{1,16}){0,2} "@" [a-z0-9]{1,16} ("." [a-z0-9]{1,16}){0,2} "." [a-z]{2,6}""",
    };

    /// <summary>Which other primitives each primitive's body names.</summary>
    private static readonly IReadOnlyDictionary<string, string[]> Dependencies = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [Char] = ["hex-no-surrogate"],
        ["hex-no-surrogate"] = ["hex"],
        ["boolean"] = [Space],
        ["null"] = [Space],
        ["integer"] = ["integral-part", Space],
        ["number"] = ["integral-part", "decimal-part", Space],
        ["string"] = [Char, Space],
        ["value"] = ["object", "array", "string", "number", "boolean", "null"],
        ["object"] = [Space, "string", "value"],
        ["array"] = [Space, "value"],
        ["date"] = ["day-31", "day-30", "day-28"],
        ["date-time"] = ["date", "time"],
        ["uuid"] = ["hex"],
    };

    /// <summary>The rules a primitive depends on (transitively), itself included.</summary>
    public static IEnumerable<string> WithDependencies(string name)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([name]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (var dependency in Dependencies.GetValueOrDefault(current, []))
            {
                pending.Push(dependency);
            }
        }

        return seen;
    }
}
