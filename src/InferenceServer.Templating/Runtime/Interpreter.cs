using System.Text;
using InferenceServer.Templating.Parsing;

namespace InferenceServer.Templating.Runtime;

/// <summary>
/// Walks the syntax tree for one render. Statements here; expressions, access and calls in the other parts.
/// Enforces the sandbox limits of <see cref="TemplateOptions"/>. One instance per render (not thread-safe).
/// </summary>
internal sealed partial class Interpreter
{
    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    private readonly TemplateOptions _options;
    private readonly Builtins _builtins;
    private long _iterations;
    private int _depth;

    public Interpreter(TemplateOptions options, TimeProvider time)
    {
        _options = options;
        _builtins = new Builtins(time);
    }

    public string Render(IReadOnlyList<Node> nodes, IReadOnlyDictionary<string, Value> variables)
    {
        var root = new Scope(_builtins.Globals);
        foreach (var pair in variables)
        {
            root.Set(pair.Key, pair.Value);
        }

        var output = new StringBuilder();
        Execute(nodes, root, output);
        return output.ToString();
    }

    private Flow Execute(IReadOnlyList<Node> nodes, Scope scope, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            var flow = Execute(node, scope, output);
            if (flow != Flow.Normal) return flow;
        }

        return Flow.Normal;
    }

    private Flow Execute(Node node, Scope scope, StringBuilder output)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (node)
        {
            case TextNode text:
                Write(output, text.Text);
                return Flow.Normal;
            case PrintNode print:
                Write(output, PythonFormat.Str(Evaluate(print.Expression, scope)));
                return Flow.Normal;
            case IfNode branch:
                foreach (var (condition, body) in branch.Branches)
                {
                    if (Evaluate(condition, scope).IsTruthy) return Execute(body, scope, output);
                }

                return branch.Else is null ? Flow.Normal : Execute(branch.Else, scope, output);
            case ForNode loop:
                ExecuteFor(loop, scope, output);
                return Flow.Normal;
            case SetNode set:
                Assign(set.Target, Evaluate(set.Value, scope), scope);
                return Flow.Normal;
            case SetBlockNode setBlock:
                Assign(setBlock.Target, ApplyFilters(setBlock.Filters, new StringValue(Capture(setBlock.Body, scope)), scope), scope);
                return Flow.Normal;
            case BreakNode:
                return Flow.Break;
            case ContinueNode:
                return Flow.Continue;
            case MacroNode macro:
                scope.Set(macro.Name, DefineMacro(macro.Name, macro.Parameters, macro.Body, scope));
                return Flow.Normal;
            case CallBlockNode callBlock:
                Write(output, PythonFormat.Str(CallWithCaller(callBlock, scope)));
                return Flow.Normal;
            case FilterBlockNode filterBlock:
                Write(output, PythonFormat.Str(ApplyFilters(filterBlock.Filters, new StringValue(Capture(filterBlock.Body, scope)), scope)));
                return Flow.Normal;
            case WithNode with:
                var inner = new Scope(scope);
                foreach (var (target, value) in with.Assignments)
                {
                    Assign(target, Evaluate(value, scope), inner);
                }

                return Execute(with.Body, inner, output);
            case DoNode doNode:
                Evaluate(doNode.Expression, scope);
                return Flow.Normal;
            case GenerationNode generation:
                return Execute(generation.Body, scope, output);
            default:
                throw new TemplateRuntimeException($"unsupported statement {node.GetType().Name}");
        }
    }

    private void Write(StringBuilder output, string text)
    {
        output.Append(text);
        if (output.Length > _options.MaxOutputChars)
        {
            throw new TemplateLimitException($"template output exceeds the limit of {_options.MaxOutputChars} characters");
        }
    }

    private string Capture(IReadOnlyList<Node> body, Scope scope)
    {
        var output = new StringBuilder();
        Execute(body, scope, output);
        return output.ToString();
    }

    private Value ApplyFilters(IReadOnlyList<FilterExpr> filters, Value value, Scope scope)
    {
        foreach (var filter in filters)
        {
            value = _builtins.Filter(filter.Name, value, EvaluateArguments(filter.Arguments, scope));
        }

        return value;
    }

    private void ExecuteFor(ForNode loop, Scope scope, StringBuilder output)
    {
        var source = Iterate(Evaluate(loop.Iterable, scope));
        var loopScope = new Scope(scope);
        List<Value> items;
        if (loop.Filter is null)
        {
            items = source;
        }
        else
        {
            items = [];
            foreach (var item in source)
            {
                Assign(loop.Target, item, loopScope);
                if (Evaluate(loop.Filter, loopScope).IsTruthy) items.Add(item);
            }
        }

        if (items.Count == 0)
        {
            if (loop.Else is not null) Execute(loop.Else, scope, output);
            return;
        }

        var state = new LoopState(items, scope.TryGet("loop", out var outer) && outer is DictValue ? 1 : 0);
        for (var i = 0; i < items.Count; i++)
        {
            if (++_iterations > _options.MaxLoopIterations)
            {
                throw new TemplateLimitException($"template loops exceed the limit of {_options.MaxLoopIterations} iterations");
            }

            Assign(loop.Target, items[i], loopScope);
            loopScope.Set("loop", state.At(i));
            if (Execute(loop.Body, loopScope, output) == Flow.Break) break;
        }
    }

    private void Assign(Expr target, Value value, Scope scope)
    {
        switch (target)
        {
            case NameExpr name:
                scope.Set(name.Name, value);
                break;
            case ListExpr { IsTuple: true } tuple:
                var items = Iterate(value);
                if (items.Count != tuple.Items.Count)
                {
                    throw new TemplateRuntimeException(items.Count > tuple.Items.Count
                        ? $"too many values to unpack (expected {tuple.Items.Count})"
                        : $"not enough values to unpack (expected {tuple.Items.Count}, got {items.Count})");
                }

                for (var i = 0; i < items.Count; i++) Assign(tuple.Items[i], items[i], scope);
                break;
            case AttributeExpr attribute:
                var owner = Evaluate(attribute.Target, scope);
                if (owner is not DictValue { IsNamespace: true } ns)
                {
                    throw new TemplateRuntimeException("cannot assign attribute on non-namespace object");
                }

                ns.Set(attribute.Name, value);
                break;
            default:
                throw new TemplateRuntimeException("cannot assign to this expression");
        }
    }

    private CallableValue DefineMacro(string name, IReadOnlyList<MacroParameter> parameters, IReadOnlyList<Node> body, Scope definingScope) =>
        new(name, arguments =>
        {
            if (++_depth > _options.MaxRecursionDepth)
            {
                throw new TemplateLimitException($"macro calls nest deeper than the limit of {_options.MaxRecursionDepth}");
            }

            try
            {
                var scope = new Scope(definingScope);
                var extraNamed = new DictValue();
                Value? caller = null;
                foreach (var (key, value) in arguments.Named)
                {
                    if (key == "caller") caller = value;
                    else if (!parameters.Any(p => p.Name == key)) extraNamed.Set(key, value);
                }

                for (var i = 0; i < parameters.Count; i++)
                {
                    var parameter = parameters[i];
                    var value = arguments.Find(i, parameter.Name)
                        ?? (parameter.Default is null ? new UndefinedValue($"parameter '{parameter.Name}' was not provided") : Evaluate(parameter.Default, scope));
                    scope.Set(parameter.Name, value);
                }

                scope.Set("varargs", new ListValue(arguments.Positional.Skip(parameters.Count).ToList(), isTuple: true));
                scope.Set("kwargs", extraNamed);
                if (caller is not null) scope.Set("caller", caller);
                return new StringValue(Capture(body, scope));
            }
            finally
            {
                _depth--;
            }
        });

    private Value CallWithCaller(CallBlockNode block, Scope scope)
    {
        var callee = Evaluate(block.Call.Callee, scope);
        var arguments = EvaluateArguments(block.Call.Arguments, scope);
        arguments.Named.Add(new("caller", DefineMacro("caller", block.CallerParameters, block.Body, scope)));
        return Invoke(callee, arguments, block.Call.Callee);
    }
}
