"""Renders templates with Python jinja2 configured as Hugging Face transformers configures it for chat templates.

stdin: {"cases": [{"id": str, "template": str, "context": {...}}]}
stdout: {"results": {id: {"ok": bool, "output": str, "error": str}}}
"""
import json
import sys
from datetime import datetime

from jinja2 import nodes
from jinja2.exceptions import TemplateError
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


class GenerationBlock(Extension):
    """transformers' {% generation %} block (AssistantTracker), reduced to what it renders: its body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return datetime.now().strftime(format)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    request = json.load(sys.stdin)
    env = environment()
    results = {}
    for case in request["cases"]:
        try:
            output = env.from_string(case["template"]).render(**case["context"])
            results[case["id"]] = {"ok": True, "output": output, "error": ""}
        except Exception as error:  # the differential tests compare failures too
            results[case["id"]] = {"ok": False, "output": "", "error": f"{type(error).__name__}: {error}"}
    json.dump({"results": results}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
