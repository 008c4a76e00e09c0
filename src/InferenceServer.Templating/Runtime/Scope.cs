namespace InferenceServer.Templating.Runtime;

/// <summary>Variables of one template level (the template, a for loop, a macro call), chained to its parent.</summary>
public sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, Value> _variables = new(StringComparer.Ordinal);

    public Scope? Parent { get; } = parent;

    public bool TryGet(string name, out Value value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables.TryGetValue(name, out value!)) return true;
        }

        value = UndefinedValue.Anonymous;
        return false;
    }

    /// <summary>Assigns in this scope (jinja2: a <c>set</c> inside a loop or macro does not leak out).</summary>
    public void Set(string name, Value value) => _variables[name] = value;
}
