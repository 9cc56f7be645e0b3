"""Can the phone app run a form faithfully? `unsupported(survey_json)` names every construct of
the form that the app's own renderer (static/mobile/js/model.js, render.js, xpath.js) cannot
evaluate as ODK Collect does; an empty list means it can. A form with any is published for
ODK Collect only, with the features named. Checked at publish time, never guessed at run time.

What the renderer runs: the question types in TYPES, the functions in FUNCTIONS (xpath.js),
${name} references, paths, instance('list')/root/item[...]/column lookups in a CSV, repeats
added by hand, choice filters. Anything else is refused here rather than left to the phone.
"""
from __future__ import annotations

import json
import re

TYPES = {
    "text", "integer", "decimal", "date", "dateTime", "time", "note", "geopoint", "photo",
    "image", "calculate", "hidden", "select one", "select all that apply",
    "select one from file", "start", "end", "today", "deviceid", "group", "repeat",
}
# The functions xpath.js evaluates as the spec says (`once` and a bare `instance` are stubs
# there: once() gives "" and would silently differ from Collect).
FUNCTIONS = {
    "true", "false", "not", "boolean", "number", "string", "int", "round", "floor", "ceiling",
    "abs", "pow", "string-length", "normalize-space", "concat", "contains", "starts-with",
    "ends-with", "substr", "selected", "count-selected", "selected-at", "count", "sum", "max",
    "min", "if", "coalesce", "regex", "today", "now", "date", "uuid", "instance",
}
EXPRESSIONS = ("relevant", "constraint", "calculate", "required", "readonly")
_CALL = re.compile(r"([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_INSTANCE = re.compile(r"instance\(\s*'[^']+'\s*\)\s*/\s*root\s*/\s*item\b")


def _functions(expression: str) -> set[str]:
    bare = _STRING.sub("''", expression)
    found = set(_CALL.findall(bare)) - {"and", "or", "div", "mod"}
    # `instance('x')/root/item[...]` is a lookup the app evaluates; instance() alone is not.
    if "instance" in found and len(_INSTANCE.findall(expression)) < bare.count("instance("):
        found.add("instance (outside instance('list')/root/item[...])")
    return found


def unsupported(survey_json: str | dict) -> list[str]:
    survey = json.loads(survey_json) if isinstance(survey_json, str) else survey_json
    problems: list[str] = []

    def expression(where: str, source) -> None:
        if not isinstance(source, str) or not source.strip():
            return
        for name in sorted(_functions(source)):
            if name not in FUNCTIONS:
                problems.append(f"{where}: the function {name}() is not supported by the app")

    def walk(node, prefix):
        for child in node.get("children") or []:
            name = child.get("name", "")
            path = f"{prefix}/{name}"
            kind = child.get("type", "")
            if kind not in TYPES:
                problems.append(f"{path}: the question type {kind!r} is not supported by the "
                                "app")
            bind = child.get("bind") or {}
            for key in EXPRESSIONS:
                expression(f"{path} ({key})", bind.get(key))
            expression(f"{path} (choice_filter)", child.get("choice_filter"))
            default = child.get("default")
            if isinstance(default, str) and re.search(r"[($]", default):
                expression(f"{path} (default)", default)
            control = child.get("control") or {}
            if kind == "repeat" and ("jr:count" in control or "repeat_count" in child):
                problems.append(f"{path}: repeat_count is not supported by the app")
            if "jr:preload" in bind and name != "instanceID":
                problems.append(f"{path}: the preload {bind['jr:preload']!r} is not supported "
                                "by the app")
            if kind in ("group", "repeat"):
                walk(child, path)
    walk(survey, "")
    return problems
