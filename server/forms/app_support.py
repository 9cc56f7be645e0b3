"""Can the phone app run this form exactly as ODK Collect would? (issue 14)

The app renders pyxform's JSON with its own model and XPath evaluator (static/mobile/js/
model.js, xpath.js), proven against ODK's engine on ODK's own test forms
(tests/js/odk-conformance.test.mjs). What it has not been proven to run is refused for the app,
with the feature named; the form may still go to ODK Collect. The app applies the same rules
itself when it opens a form (model.js `unsupportedFeatures`, the parser's function list), so a
form that slipped past this check is refused on the phone too, never guessed at.

`unsupported(survey_json)` takes pyxform's JSON (`Survey.to_json_dict()`, what
`flask forms build` writes to mobile_forms/build/<form>.json) and returns the features, one
string each, in the order found; an empty list means the app runs the form.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

# Kept equal to static/mobile/js/model.js (TYPES, APPEARANCES, PARAMETERS) and to the functions
# static/mobile/js/xpath.js evaluates (FUNCTIONS); tests/unit/forms/test_app_support.py checks it.
# Metadata the phone has no value for (phone number, SIM serial, subscriber id, username, email)
# is left blank, as ODK Web Forms does without settings.
TYPES = frozenset({
    "text", "integer", "decimal", "date", "dateTime", "geopoint", "photo", "image", "note",
    "calculate", "hidden", "group", "repeat", "select one", "select all that apply",
    "select one from file", "select multiple from file", "start", "end", "today", "deviceid",
    "rank", "time", "range", "barcode", "geotrace", "geoshape", "acknowledge", "phonenumber",
    "email", "username", "simserial", "subscriberid", "start-geopoint", "background-geopoint",
    # Not questions: a form's XML or CSV attachment, read with instance('name').
    "xml-external", "csv-external"})
EXTERNAL = frozenset({"xml-external", "csv-external"})
APPEARANCES = frozenset({
    "minimal", "autocomplete", "multiline", "field-list", "horizontal", "horizontal-compact",
    "compact", "likert", "quick", "no-calendar", "table-list", "label", "list-nolabel", "list",
    "placement-map", "maps", "vertical", "no-ticks", "picker", "rating", "month-year", "year",
    "numbers", "thousands-sep", "masked", "columns", "columns-pack", "no-buttons", "search", "map",
    "image-map", "draw"})
# columns-3 ...; ex:org.app(...) (an app Collect launches; the app, as Collect without it, takes
# the answer typed in).
APPEARANCE_PATTERNS = (re.compile(r"columns-\d+"), re.compile(r"ex:[\w.-]+(\(.*\))?", re.S))
PARAMETERS = frozenset({"max-pixels", "capture-accuracy", "warning-accuracy", "start", "end",
                        "step",
                        # select_one_from_file: the columns giving a choice's value and label.
                        "value", "label",
                        # randomize=true [seed=...]: choices shuffled as JavaRosa does.
                        "randomize", "seed"})
# Recordings and files are refused: they keep what the app cannot strip (an MP4's GPS and device
# atoms, a file's own metadata), and the server takes only photos, which it re-encodes.
MEDIA = frozenset({"audio", "video", "file", "background-audio"})
MEDIA_WHY = (" (a recording or file keeps metadata, such as the place in a video, that the app"
             " cannot remove)")
FUNCTIONS = frozenset({
    "true", "false", "not", "boolean", "number", "string", "int", "round", "floor", "ceiling",
    "abs", "pow", "string-length", "normalize-space", "concat", "contains", "starts-with",
    "ends-with", "substr", "selected", "count-selected", "selected-at", "count", "sum", "max",
    "min", "if", "coalesce", "regex", "today", "now", "date", "uuid", "once", "instance",
    "position", "current", "jr:choice-name", "format-date", "format-date-time", "count-non-empty",
    "join", "base64-decode", "distance", "area", "geofence", "checklist", "weighted-checklist",
    "randomize", "indexed-repeat", "jr:itext"})
SELECTS = frozenset({"select one", "select all that apply", "select one from file",
                     "select multiple from file", "rank"})
EXPRESSIONS = ("relevant", "constraint", "calculate", "required", "readonly")

_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_CALL = re.compile(r"(?<![\w.:$-])([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
_INSTANCE = re.compile(r"instance\(\s*['\"]([^'\"]+)['\"]\s*\)((?:/[\w.-]+(?:\[[^\]]*\])?)*)")
# A form's attachments (CSV, XML, GeoJSON), read as secondary instances by the app
# (static/mobile/js/instances.js), and pyxform's name for the last saved report's instance.
_MEDIA_FILE = re.compile(r"\.(csv|xml|geojson)$", re.IGNORECASE)
LAST_SAVED = "__last-saved"


def unsupported(survey_json: dict) -> list[str]:
    """The features of this form the phone app cannot run exactly as ODK Collect; [] if none."""
    found: dict[str, None] = {}  # ordered set
    files = {_MEDIA_FILE.sub("", node["itemset"]) for node in _nodes(survey_json)
             if isinstance(node.get("itemset"), str) and _MEDIA_FILE.search(node["itemset"])}
    files |= {node.get("name") for node in _nodes(survey_json) if node.get("type") in EXTERNAL}
    files.add(LAST_SAVED)
    attachments = set(files)  # an attachment wins over a choice list of the same name
    # A choice list is an instance too, as pyxform writes it (static/mobile/js/itext.js).
    files |= set(survey_json.get("choices") or {})
    for node in _nodes(survey_json):
        for feature in _node_features(node, files, top=node is survey_json):
            found.setdefault(feature, None)
        for feature in _itext_features(node, survey_json, attachments):
            found.setdefault(feature, None)
    for feature in _self_counting_repeats(survey_json):
        found.setdefault(feature, None)
    if survey_json.get("entity_features") or survey_json.get("entities"):
        found.setdefault("entities", None)
    for choices in (survey_json.get("choices") or {}).values():
        if isinstance(choices, list):
            for choice in choices:
                for feature in _label_media(choice.get("media")):
                    found.setdefault(feature, None)
    return list(found)


def appearance_words(value) -> list[str]:
    """An appearance's words; a call with arguments (search('list', 'matches', ...)) is one."""
    words, word, depth = [], "", 0
    for c in str(value or ""):
        if c.isspace() and not depth:
            if word:
                words.append(word)
            word = ""
            continue
        depth += 1 if c == "(" else -1 if c == ")" and depth else 0
        word += c
    if word:
        words.append(word)
    return words


def _range_valid(node: dict) -> bool:
    """A range's start, end and step (1, 10, 1 when not given) are numbers."""
    given = {**(node.get("control") or {}), **_parameters(node.get("parameters"))}
    return all(re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", str(given.get(k, d)).strip())
               for k, d in (("start", "1"), ("end", "10"), ("step", "1")))


def _nodes(node: dict) -> Iterable[dict]:
    yield node
    if node.get("type") in SELECTS:
        return
    for child in node.get("children") or []:
        yield from _nodes(child)


def _parameters(value) -> dict:
    if not value:
        return {}
    if isinstance(value, dict):
        return value
    return dict(part.split("=", 1) if "=" in part else (part, "")
                for part in re.split(r"[\s;,]+", str(value)) if part)


# Media of a label or choice (pyxform: {image: {language: file}} or {image: file}): an image is
# drawn beside the label (render.js); audio, video and big-image are not played, so refused.
LABEL_MEDIA = frozenset({"image"})


def _label_media(media) -> Iterable[str]:
    if not media:
        return
    for kind in media if isinstance(media, dict) else ["(unknown)"]:
        if kind not in LABEL_MEDIA:
            yield f"media ({kind}) in labels"


def _node_features(node: dict, files: set[str], *, top: bool) -> Iterable[str]:
    kind = node.get("type") or ""
    bind = node.get("bind") or {}
    control = node.get("control") or {}
    if not top and kind not in TYPES:
        yield f"question type {kind or '(none)'}{MEDIA_WHY if kind in MEDIA else ''}"
    fixed = control.get("jr:noAddRemove")
    if fixed is not None and str(fixed).strip() not in ("true()", "true", "false()", "false"):
        yield "repeat without add/remove by an expression"
    for word in appearance_words(control.get("appearance")):
        if word not in APPEARANCES and not any(p.fullmatch(word) for p in APPEARANCE_PATTERNS):
            yield f"appearance {re.sub(r'[(].*', '()', word, flags=re.S)}"
    if kind == "range" and not _range_valid(node):
        yield "a range whose start, end or step is not a number"
    for key in _parameters(node.get("parameters")):
        if key not in PARAMETERS:
            yield f"parameter {key}"
    yield from _label_media(node.get("media"))
    if not top and isinstance(node.get("choices"), list):
        for choice in node["choices"]:
            yield from _label_media(choice.get("media"))
    sources = [bind.get(key) for key in EXPRESSIONS] + [node.get("choice_filter")]
    count = control.get("jr:count", node.get("repeat_count"))
    if isinstance(count, str):
        sources.append(count)
    default = node.get("default")
    if isinstance(default, str) and re.search(r"[($]", default):
        sources.append(default)
    for source in sources:
        if source:
            yield from _expression_features(str(source), files)


def _expression_features(source: str, files: set[str]) -> Iterable[str]:
    bare = _STRING.sub("''", _INSTANCE.sub("instance()", source))
    for name in _CALL.findall(bare):
        if name not in FUNCTIONS and name not in ("and", "or", "div", "mod"):
            yield f"function {name}()"
    for file_id, _path in _INSTANCE.findall(source):
        if file_id not in files:
            yield f"instance('{file_id}')"
    if re.search(r"(?<![\w.:-])position\(\s*\)", bare):
        yield "position() without a path (only position(..))"
    outside = bare
    if "[" in outside:
        yield "a path with a predicate ([...]) outside instance()"
    if "::" in outside:
        yield "an XPath axis (::)"


_ABSOLUTE = re.compile(r"(?<![\w.\])}])(/[A-Za-z_][\w.-]*(?:/[A-Za-z_][\w.-]*)*)")


_REF = re.compile(r"\$\{([^}\s]+)\}")


def _self_counting_repeats(survey_json: dict) -> Iterable[str]:
    """A repeat whose count reads its own entries (count() of it, a question in it), directly or
    through calculations: Collect adds such entries one at a time as the monitor steps on, the app
    (all entries on one page) cannot (model.js refuses it too). An absolute path into the repeat
    being asked from is run, as Collect runs it: the entry's own question."""
    paths: dict[str, str] = {}
    calculations: dict[str, str] = {}
    repeats: list[tuple[str, str]] = []

    def walk(node: dict, path: str):
        for child in node.get("children") or []:
            here = f"{path}/{child.get('name')}"
            paths.setdefault(str(child.get("name")), here)
            calculate = (child.get("bind") or {}).get("calculate")
            if isinstance(calculate, str):
                calculations[here] = calculate
            if child.get("type") == "repeat":
                count = (child.get("control") or {}).get("jr:count", child.get("repeat_count"))
                if isinstance(count, str):
                    repeats.append((here, count))
            if child.get("type") not in SELECTS:
                walk(child, here)

    def reads(source: str) -> list[str]:
        bare = _STRING.sub("''", source)
        return [paths[n] for n in _REF.findall(bare) if n in paths] + _ABSOLUTE.findall(bare)

    walk(survey_json, f"/{survey_json.get('name')}")
    for repeat, source in repeats:
        seen: set[str] = set()
        queue = reads(source)
        while queue:
            path = queue.pop()
            if path in seen:
                continue
            seen.add(path)
            if path == repeat or path.startswith(f"{repeat}/"):
                yield f"a repeat count that reads the repeat's own entries ({repeat})"
                break
            queue.extend(reads(calculations.get(path, "")))


# jr:itext(id), as the app runs it (static/mobile/js/itext.js): a choice's id "<list>-<i>" of a
# list pyxform gives itext ids (a translated label, one showing an answer, media), a question's
# translated label "/path:label", or instance('list')/.../itextId of such a list; else refused.
_ITEXT = re.compile(r"jr:itext\(")
_ANSWER = re.compile(r"\$\{[^}]+\}")
_ITEXT_LITERAL = re.compile(r"\s*(?:'([^']*)'|\"([^\"]*)\")\s*")
_ITEXT_INSTANCE = re.compile(
    r"\s*instance\(\s*['\"]([^'\"]+)['\"]\s*\)(?:/[\w.-]+(?:\[[^\]]*\])*)*/([\w.-]+)\s*")


def _requires_itext(choices) -> bool:
    return any(c.get("media") or isinstance(c.get("label"), dict)
               or (isinstance(c.get("label"), str) and _ANSWER.search(c["label"]))
               for c in choices or [])


def _translated_only(element: dict) -> str | None:
    label = element.get("label")
    if element.get("media"):
        return "jr:itext() of a label with media"
    if not label or not isinstance(label, dict):
        return "jr:itext() of a label that is not translated"
    if any(_ANSWER.search(str(t)) for t in label.values()):
        return "jr:itext() of a label that shows an answer"
    return None


def _itext_id_refusal(survey_json: dict, itext_id: str) -> str | None:
    lists = survey_json.get("choices") or {}
    choice = re.fullmatch(r"(.+)-(\d+)", itext_id)
    if choice and choice.group(1) in lists and _requires_itext(lists[choice.group(1)]) \
            and int(choice.group(2)) < len(lists[choice.group(1)]):
        return _translated_only(lists[choice.group(1)][int(choice.group(2))])
    label = re.fullmatch(r"(/.+):label", itext_id)
    if label:
        root = f"/{survey_json.get('name')}"

        def find(node, path):
            for child in [] if node.get("type") in SELECTS else node.get("children") or []:
                here = f"{path}/{child.get('name')}"
                if here == label.group(1):
                    return child
                hit = find(child, here)
                if hit is not None:
                    return hit
            return None
        question = find(survey_json, root)
        if question is not None:
            return _translated_only(question)
    return f"jr:itext() of an id the app cannot know ('{itext_id}')"


def _itext_arguments(source: str) -> Iterable[str]:
    """The argument of each jr:itext( in source (to its closing parenthesis)."""
    for match in _ITEXT.finditer(source):
        depth, quote, start = 1, None, match.end()
        for i in range(start, len(source)):
            c = source[i]
            if quote:
                quote = None if c == quote else quote
            elif c in "'\"":
                quote = c
            elif c in "([":
                depth += 1
            elif c in ")]":
                depth -= 1
                if not depth:
                    yield source[start:i]
                    break


def _itext_features(node: dict, survey_json: dict, attachments: set[str]) -> Iterable[str]:
    bind = node.get("bind") or {}
    default = node.get("default")
    for source in [bind.get(key) for key in EXPRESSIONS] + [default, node.get("choice_filter")]:
        if not isinstance(source, str) or "jr:itext" not in source:
            continue
        for argument in _itext_arguments(source):
            literal = _ITEXT_LITERAL.fullmatch(argument)
            instance = _ITEXT_INSTANCE.fullmatch(argument)
            lists = survey_json.get("choices") or {}
            if literal:
                given = next(g for g in literal.groups() if g is not None)
                why = _itext_id_refusal(survey_json, given)
            elif instance and instance.group(2) == "itextId" and instance.group(1) in lists \
                    and instance.group(1) not in attachments:
                if not _requires_itext(lists[instance.group(1)]):
                    why = (f"jr:itext() of instance('{instance.group(1)}'), whose items have no "
                           "itextId")
                else:
                    why = next(filter(None, map(_translated_only, lists[instance.group(1)])), None)
            else:
                why = "jr:itext() of an id the app cannot know"
            if why:
                yield f"{why} ({source})"
