"""Build the XForms (and pyxform's JSON description of each form) from the XLSForm sources in
mobile_forms/. The build is deterministic: the same source gives byte-identical files, so the
committed XForm keeps a stable md5 and ODK Collect re-downloads it only when it really changed."""
from __future__ import annotations

import copy
import io
import json
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import encryption
from .app_support import SELECTS, unsupported

FORMS_DIR = Path(__file__).resolve().parents[2] / "mobile_forms"
BUILD_DIR = FORMS_DIR / "build"
# pyxform reads its own one-file CSV flavour of XLSForm (a column of sheet names, then rows),
# which diffs line by line and opens in any spreadsheet.
SOURCES = ("nezarat_visit.csv", "nezarat_case.csv")
# Survey-sheet columns of our own (bind attributes in the namespace nezarat; mobile_forms/README):
# `bind::nezarat:sealed` = true(): the answer is sealed on the phone for the organisation's key
# holders (static/mobile/js/seal.js); `bind::nezarat:only` = app: the question (or group) is in
# our mobile app's form only, left out of the XForm that ODK Collect and Enketo get.
SEALED = "nezarat:sealed"
ONLY = "nezarat:only"
CLIENTS = ("app", "collect")
TRUE = ("true()", "true", "yes", "1")


class FormInvalid(Exception):
    """pyxform or ODK Validate refused a form; the message is theirs."""


@dataclass(frozen=True)
class BuiltForm:
    form_id: str
    xml: str
    json: str
    warnings: tuple[str, ...]
    # What the phone app cannot run exactly as ODK Collect (server/forms/app_support.py): when
    # there is any, the form is built for Collect only, without the JSON the app renders.
    app_refusals: tuple[str, ...] = ()

    def outputs(self) -> dict[str, bytes]:
        out = {f"{self.form_id}.xml": self.xml.encode("utf-8")}
        if not self.app_refusals:
            out[f"{self.form_id}.json"] = self.json.encode("utf-8")
        return out

    def withheld(self) -> list[str]:
        """Outputs that must not exist: the app's JSON of a form refused for the app."""
        return [f"{self.form_id}.json"] if self.app_refusals else []


def build(source: Path) -> BuiltForm:
    return _build(source, source.name)


# An .xlsx is a zip: what it may unpack to, so that a small upload cannot fill the memory.
MAX_XLSX_UNPACKED = 40_000_000
MAX_XLSX_MEMBERS = 500
# ... and how many rows and cells its sheets may hold: pyxform spends ~0.6 ms and ~10 kB per
# question (20,000 rows: 12 s of CPU, 230 MB), and a 5 MB upload holds ~300,000 rows. Counted
# from the sheets' XML, a megabyte at a time, before pyxform reads anything. Real forms have
# hundreds of rows; long lists belong in a CSV file (select_one_from_file).
MAX_XLSX_ROWS = 10_000
MAX_XLSX_CELLS = 200_000
SHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


def _check_size(data: bytes, filename: str, sheets: list[zipfile.ZipInfo]) -> None:
    rows = cells = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for sheet in sheets:
            tail = b""
            with archive.open(sheet) as stream:
                while chunk := stream.read(1 << 20):
                    text = tail + chunk
                    cut = max(0, len(text) - 64)  # a tag split between two chunks: next time
                    rows += sum(1 for m in _ROW.finditer(text) if m.start() < cut)
                    cells += sum(1 for m in _CELL.finditer(text) if m.start() < cut)
                    tail = text[cut:]
                    if rows > MAX_XLSX_ROWS or cells > MAX_XLSX_CELLS:
                        break
            rows += len(_ROW.findall(tail))
            cells += len(_CELL.findall(tail))
            if rows > MAX_XLSX_ROWS:
                raise FormInvalid(f"{filename}: the workbook has more than {MAX_XLSX_ROWS:,} "
                                  "rows (put long lists in a CSV file: select_one_from_file)")
            if cells > MAX_XLSX_CELLS:
                raise FormInvalid(f"{filename}: the workbook has more than {MAX_XLSX_CELLS:,} "
                                  "cells")


def build_workbook(data: bytes, filename: str) -> BuiltForm:
    """An uploaded XLSForm (.xlsx) as an XForm and its description. A form without a version
    in its settings sheet gets the upload time (yyyymmddHHMMSS, UTC) as its version."""
    if not data.startswith(b"PK\x03\x04"):
        raise FormInvalid(f"{filename}: not an .xlsx file (an XLSForm saved from a spreadsheet "
                          "as Excel Workbook)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FormInvalid(f"{filename}: not a readable .xlsx file ({exc})") from exc
    if len(members) > MAX_XLSX_MEMBERS or \
            sum(m.file_size for m in members) > MAX_XLSX_UNPACKED:
        raise FormInvalid(f"{filename}: the workbook unpacks to more than "
                          f"{MAX_XLSX_UNPACKED // 1_000_000} MB")
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise FormInvalid(f"{filename}: not an .xlsx workbook")
    try:
        _check_size(data, filename, [m for m in members if SHEET.fullmatch(m.filename)])
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # a damaged member, one larger than it declares (CRC), encrypted or oddly compressed
        raise FormInvalid(f"{filename}: not a readable .xlsx file ({exc})") from exc
    return _build(data, filename, default_version=datetime.now(timezone.utc)
                  .strftime("%Y%m%d%H%M%S"))


def _build(source, name: str, default_version: str | None = None) -> BuiltForm:
    # pyxform is imported when a form is built, not by every process that serves the app
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    warnings: list[str] = []
    try:
        workbook = get_xlsform(source)
        definition = workbook_to_json(
            workbook_dict=workbook, form_name=None,
            fallback_form_name=workbook.fallback_form_name, default_language=None,
            warnings=warnings)
        if default_version and not definition.get("version"):
            definition["version"] = default_version
        if definition.get("public_key"):
            raise FormInvalid("the settings sheet sets public_key: a form's key belongs to the "
                              "deployment, which adds it when serving the form "
                              "(server/forms/encryption.py)")
        _add_deprecated_id(definition)
        collect = for_client(definition, "collect")
        _no_sealed_question_in_clear(collect)
        survey = create_survey_element_from_dict(collect)
        xml = survey.to_xml(validate=False, pretty_print=True, warnings=warnings)
        for_app = for_client(definition, "app")
        app = create_survey_element_from_dict(for_app)
    except FormInvalid:
        raise
    except Exception as exc:  # pyxform raises plain PyXFormError / ValueError alike
        raise FormInvalid(f"{name}: {exc}") from exc
    described_dict = app.to_json_dict()
    _keep_group_binds(described_dict, for_app)
    _keep_choice_columns(described_dict, for_app)
    described = json.dumps(described_dict, ensure_ascii=False, indent=2)
    return BuiltForm(form_id=definition["id_string"], xml=_ends_with_newline(xml),
                     json=described + "\n", warnings=tuple(warnings),
                     app_refusals=tuple(unsupported(described_dict)))


def _keep_group_binds(described: dict, definition: dict) -> None:
    """pyxform's JSON drops a group's bind (GroupedSection.to_json_dict deletes it), while the
    XForm keeps it: a group's relevance (nothing asked when access was denied; reception
    questions only on the Afghan side) would not reach the app. Put each group's bind back."""
    def walk(element: dict, source: dict) -> None:
        by_name = {child.get("name"): child for child in source.get("children") or ()
                   if isinstance(child, dict)}
        for child in element.get("children") or ():
            origin = by_name.get(child.get("name")) if isinstance(child, dict) else None
            if origin is None or child.get("type") not in ("group", "repeat"):
                continue
            if origin.get("bind") and not child.get("bind"):
                child["bind"] = dict(origin["bind"])
            walk(child, origin)
    walk(described, definition)


def _keep_choice_columns(described: dict, definition: dict) -> None:
    """pyxform's JSON keeps a choice's name, label and media only, while the XForm gives Collect
    every column of the choices sheet in the list's instance: what a choice filter reads
    (`country=${country}`, the usual cascade) and `instance('list')/root/item/<column>`. The
    app gets them too, in the same order as the list."""
    source = definition.get("choices") or {}

    def fill(choices: list, name) -> None:
        for choice, row in zip(choices or [], source.get(name) or []):
            if isinstance(choice, dict) and choice.get("name") == row.get("name"):
                for key, value in row.items():
                    choice.setdefault(key, value)

    for name, choices in (described.get("choices") or {}).items():
        fill(choices, name)

    def walk(element: dict) -> None:  # a select carries its list's choices as its children
        if element.get("list_name") in source and element.get("type") in SELECTS:
            fill(element.get("children"), element["list_name"])
            return
        for child in element.get("children") or []:
            walk(child)

    walk(described)


def build_all(forms_dir: Path | None = None) -> list[BuiltForm]:
    return [build((forms_dir or FORMS_DIR) / name) for name in SOURCES]


def for_client(definition: dict, client: str) -> dict:
    """The form as `client` ("app": our mobile app, "collect": ODK Collect and Enketo) gets it:
    without the questions and groups whose `nezarat:only` names the other one."""
    if client not in CLIENTS:
        raise ValueError(client)

    left_out: set[str] = set()

    def keep(element: dict) -> dict | None:
        only = str((element.get("bind") or {}).get(ONLY, "")).strip()
        if only and only not in CLIENTS:
            raise FormInvalid(f"{element.get('name')}: {ONLY} must be one of "
                              f"{', '.join(CLIENTS)}")
        if only and only != client:
            left_out.update(_lists(element))
            return None
        if isinstance(element.get("children"), list) and "itemset" not in element:
            element["children"] = [c for c in map(keep, element["children"]) if c is not None]
        return element
    kept = keep(copy.deepcopy(definition))
    # Choice lists only the left-out questions used go too (pyxform writes every list).
    for name in left_out - set(_lists(kept)):
        kept.get("choices", {}).pop(name, None)
    return kept


def _lists(element: dict):
    if isinstance(element.get("itemset"), str):
        yield element["itemset"]
    for child in element.get("children") or ():
        if isinstance(child, dict):
            yield from _lists(child)


def _no_sealed_question_in_clear(collect: dict) -> None:
    """A sealed question in a form that ODK Collect sends in clear, or encrypted for the server,
    would reach the server readable: it must be app-only there (the app seals it before the
    outbox). Only a SEALED form (encrypted for the organisation's key) may carry one to Collect."""
    if encryption.mode(collect.get("id_string", "")) == encryption.SEALED:
        return

    def walk(element: dict) -> None:
        if str((element.get("bind") or {}).get(SEALED, "")).strip() in TRUE:
            raise FormInvalid(f"{collect.get('id_string')}: the sealed question "
                              f"{element.get('name')!r} would reach the server in clear from "
                              f"ODK Collect: mark it (or its group) {ONLY} = app")
        for child in element.get("children") or ():
            if isinstance(child, dict):
                walk(child)
    walk(collect)


def _add_deprecated_id(definition: dict) -> None:
    """meta/deprecatedID marks an edit of an earlier submission (OpenRosa). XLSForm reserves
    the name `meta`, so it cannot be declared in the source; it is added here, empty, next to
    the instanceID pyxform adds, and the editing client (Enketo, Central) fills it in."""
    meta = next(child for child in definition["children"] if child["name"] == "meta")
    if not any(child["name"] == "deprecatedID" for child in meta["children"]):
        meta["children"].append({"name": "deprecatedID", "type": "calculate",
                                 "bind": {"readonly": "true()"}})


_MODEL_OPEN = re.compile(rb"<model\b[^>]*>")


def with_public_key(xml: bytes, public_key_b64: str) -> bytes:
    """The XForm as an ODK encrypted form: what pyxform's `public_key` setting writes (a
    `<submission base64RsaPublicKey=...>` first in the model), added to the committed build
    at serving time because the key belongs to the deployment, not to the source."""
    if not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", public_key_b64):
        raise ValueError("not a base64 public key")
    match = _MODEL_OPEN.search(xml)
    if match is None or b"<submission" in xml[match.end():match.end() + 200]:
        raise ValueError("no model to add the key to, or it has a submission element already")
    line = b'\n      <submission base64RsaPublicKey="' + public_key_b64.encode() + b'"/>'
    return xml[:match.end()] + line + xml[match.end():]


def _ends_with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def stale(built: BuiltForm, out_dir: Path | None = None) -> list[str]:
    """Names of the output files that are missing or differ from a fresh build."""
    out_dir = out_dir or BUILD_DIR
    return [name for name, data in built.outputs().items()
            if not (out_dir / name).is_file() or (out_dir / name).read_bytes() != data] + \
        [name for name in built.withheld() if (out_dir / name).exists()]


def write(built: BuiltForm, out_dir: Path | None = None) -> list[Path]:
    """Write the outputs that changed (untouched files keep their mtime); return them."""
    out_dir = out_dir or BUILD_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in stale(built, out_dir):
        path = out_dir / name
        if name in built.withheld():
            path.unlink()  # refused for the app: it must not offer an older version
        else:
            path.write_bytes(built.outputs()[name])
        written.append(path)
    return written


def validate(xml: str) -> list[str]:
    """Run ODK Validate (JavaRosa, shipped with pyxform; needs Java). Returns its warnings,
    raises FormInvalid with its report when the form would not load in ODK Collect."""
    from pyxform.validators import odk_validate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.xml"
        path.write_text(xml, encoding="utf-8")
        try:
            return odk_validate.check_xform(str(path))
        except odk_validate.ODKValidateError as exc:
            raise FormInvalid(str(exc)) from exc
