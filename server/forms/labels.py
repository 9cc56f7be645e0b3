"""The visit form's own words for its questions and answers, in the three languages, from the
built form (mobile_forms/build/nezarat_visit.json): a reviewer reads an answer under the question
the monitor was asked, and the chosen answer as the monitor saw it."""
from __future__ import annotations

import json
from functools import lru_cache

from .build import BUILD_DIR

FORM_ID = "nezarat_visit"
# The form's language names (pyxform's) by the pages' language codes.
FORM_LANGUAGES = {"en": "English (en)", "prs": "Dari (prs)", "ps": "Pashto (ps)"}


def _walk(node: dict, repeat: str = ""):
    """(enclosing repeat's name or "", question) for every labelled question."""
    for child in node.get("children") or ():
        kind = child.get("type", "")
        if kind == "repeat":
            yield from _walk(child, child["name"])
        elif kind == "group":
            yield from _walk(child, repeat)
        elif isinstance(child.get("label"), dict) and kind != "note":
            yield repeat, child


@lru_cache(maxsize=4)
def _questions(form_id: str) -> dict:
    path = BUILD_DIR / f"{form_id}.json"
    if not path.is_file():
        return {}
    out: dict[str, dict] = {}
    for repeat, node in _walk(json.loads(path.read_text(encoding="utf-8"))):
        select = node.get("type", "").startswith("select")
        choices = {c["name"]: c["label"] for c in (node.get("children") or ())
                   if select and isinstance(c.get("label"), dict)}
        out.setdefault(repeat, {}).setdefault(node["name"], {"label": node["label"],
                                                             "choices": choices})
    return out


def question_labels(language: str, repeat: str = "", form_id: str = FORM_ID) -> dict[str, dict]:
    """{question name: {"label": text, "choices": {value: text}}} of the questions outside any
    repeat (or inside repeat `repeat`), in `language` ("en", "prs", "ps"); English where the
    form has no translation."""
    want, english = FORM_LANGUAGES.get(language, FORM_LANGUAGES["en"]), FORM_LANGUAGES["en"]

    def pick(texts: dict) -> str:
        return texts.get(want) or texts.get(english) or ""
    return {name: {"label": pick(q["label"]),
                   "choices": {value: pick(text) for value, text in q["choices"].items()}}
            for name, q in _questions(form_id).get(repeat, {}).items()}
