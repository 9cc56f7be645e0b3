"""Publishing forms in the browser (issue 14 point 4): an XLSForm uploaded by a coordinator (or
an admin) is converted by pyxform, validated by ODK Validate (JavaRosa), mapped to the visit
report (mapping.py) and checked for the phone app (app_support.py), then kept as a draft.
Published, it is what ODK Collect's formList and the app's index offer the organisation's
devices; publishing a new version retires the one before (reports made with it are still
received, read with its own mapping). Every upload, publish and retire is audited.
"""
from __future__ import annotations

import csv
import io
import json
import re

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from sqlalchemy.orm import Session

from ..attachments import photos
from ..core import audit
from ..core.access import Principal, require_access
from ..core.errors import Conflict, PayloadTooLarge, ValidationFailed
from ..core.input_guard import (
    MAX_JSON_DEPTH,
    MAX_XML_DEPTH,
    XMLTooDeep,
    bounded_xml,
    json_problem,
    xml_prolog_problem,
)
from . import app_support, build, catalog, keys, mapping, media, store

MAX_XLSFORM_BYTES = 5_000_000
MAX_MEDIA_BYTES = 2_000_000
FORM_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,99}")
MEDIA_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}\.(csv|xml|geojson|jpg|jpeg|png|webp)")
# Images shown beside question and choice labels (jr://images/): decoded and re-encoded by
# Pillow on upload (attachments/photos.py: bombs refused, every byte of metadata dropped).
IMAGE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}\.(jpg|jpeg|png|webp)", re.I)
MAX_IMAGE_PIXELS = 16_000_000
_IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
                "webp": "image/webp"}
# Attachments read as secondary instances (pyxform: select_one_from_file, csv-external,
# xml-external): jr://file-csv/ for CSV, jr://file/ for XML and GeoJSON. jr://instance/last-saved
# is no file: Collect and the app fill it from the last report saved on the phone.
_ATTACHMENT = {"file-csv": re.compile(r".+\.csv"), "file": re.compile(r".+\.(xml|geojson)")}
_GEOMETRIES = {"Point", "LineString", "Polygon"}
_MEDIA_REF = re.compile(r"jr://([a-z-]+)/([^\"'<>\s]+)")


def _refuse(problems: list[str], field: str = "xlsform"):
    raise ValidationFailed("The form cannot be published: " + "; ".join(problems),
                           {field: problems})


def _media_names(xml: str) -> tuple[set[str], list[str]]:
    """The CSV, XML and GeoJSON files the XForm reads, and problems with other media."""
    names, problems = set(), []
    for scheme, name in _MEDIA_REF.findall(xml):
        if scheme in _ATTACHMENT and _ATTACHMENT[scheme].fullmatch(name):
            names.add(name)
        elif scheme == "images" and IMAGE_NAME.fullmatch(name):
            names.add(name)
        elif not (scheme == "instance" and name == "last-saved"):
            problems.append(f"jr://{scheme}/{name}: only CSV, XML and GeoJSON files (select_one_"
                            "from_file, csv-external, xml-external) and JPEG, PNG and WebP "
                            "images in labels can be published yet")
    return names, problems


def _check_media(filename: str, data: bytes) -> str | None:
    if len(data) > MAX_MEDIA_BYTES:
        return f"{filename} is larger than {MAX_MEDIA_BYTES // 1_000_000} MB"
    if IMAGE_NAME.fullmatch(filename):
        return None  # _clean_image decoded it already
    if filename.endswith(".xml"):
        return _check_xml(filename, data)
    if filename.endswith(".geojson"):
        return _check_geojson(filename, data)
    return _check_csv(filename, data)


def _clean_image(filename: str, data: bytes) -> tuple[bytes | None, str | None]:
    """An image re-encoded without its metadata, or the problem with it: not an image Pillow
    decodes, too many pixels (a decompression bomb), or not the format its name says."""
    if len(data) > MAX_MEDIA_BYTES:
        return None, f"{filename} is larger than {MAX_MEDIA_BYTES // 1_000_000} MB"
    try:
        prepared = photos.prepare(data, filename, MAX_IMAGE_PIXELS)
    except (ValidationFailed, PayloadTooLarge) as exc:
        return None, exc.detail
    expected = _IMAGE_TYPES[filename.rsplit(".", 1)[1].lower()]
    if prepared.media_type != expected:
        return None, (f"{filename} is a {prepared.media_type} image: name it "
                      f"{filename.rsplit('.', 1)[0]}{prepared.suffix}")
    return prepared.encoded, None


def _check_xml(filename: str, data: bytes) -> str | None:
    """UTF-8, well-formed, without a DTD (so without entities: the app refuses those too), at
    most MAX_XML_DEPTH elements deep (phones parse it: no file the server would not take)."""
    problem = xml_prolog_problem(data)
    if problem:
        return f"{filename}: {problem}"
    try:
        bounded_xml(data)
    except XMLTooDeep:
        return f"{filename} is nested more than {MAX_XML_DEPTH} elements deep"
    except (ParseError, DefusedXmlException, ValueError) as exc:
        return f"{filename} is not an XML file without a DOCTYPE ({exc})"
    return None


def _check_geojson(filename: str, data: bytes) -> str | None:
    """A FeatureCollection of Points, LineStrings and Polygons: what ODK reads."""
    try:
        collection = json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        return f"{filename} is nested more than {MAX_JSON_DEPTH} deep"
    except (UnicodeDecodeError, ValueError) as exc:
        return f"{filename} is not a UTF-8 JSON file ({exc})"
    problem = json_problem(collection)
    if problem:
        return f"{filename} {problem}"
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" \
            or not isinstance(collection.get("features"), list):
        return f"{filename} is not a GeoJSON FeatureCollection"
    for feature in collection["features"]:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or feature.get("type") != "Feature" \
                or geometry.get("type") not in _GEOMETRIES:
            return f"{filename}: every feature must be a Point, LineString or Polygon Feature"
    return None


def _check_csv(filename: str, data: bytes) -> str | None:
    try:
        header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        return f"{filename} is not a UTF-8 CSV file ({exc})"
    if "name" not in header:
        return f"{filename} has no 'name' column in its first row"
    return None


def _validate(xml: str) -> list[str]:
    """ODK Validate on the form as Collect gets it: with a public key (a throwaway one here;
    the server's own is added when the form is served)."""
    public_b64, _, _ = keys.generate()
    return build.validate(build.with_public_key(xml.encode(), public_b64).decode())


def upload(session: Session, principal: Principal, filename: str, data: bytes,
           media_files: dict[str, bytes]):
    """A new draft version of a form for the caller's organisation; raises a 4xx naming every
    problem found. Returns the new version's row."""
    if principal.organisation_id is None:
        raise ValidationFailed.field("xlsform", "You belong to no organisation to publish for.")
    if len(data) > MAX_XLSFORM_BYTES:
        raise PayloadTooLarge(f"{filename} is larger than {MAX_XLSFORM_BYTES // 1_000_000} MB.")
    try:
        built = build.build_workbook(data, filename)
    except build.FormInvalid as exc:
        _refuse([str(exc)])
    survey = json.loads(built.json)
    if not FORM_ID.fullmatch(built.form_id or ""):
        _refuse([f"the form id {built.form_id!r} must be letters, digits, _ . - (at most 100), "
                 "starting with a letter or _"])
    if len(str(survey.get("version") or "")) > 100:
        _refuse(["the version is longer than 100 characters"])
    if built.form_id in catalog.forms():
        _refuse([f"the form id {built.form_id!r} is a built-in form's (mobile_forms/); give the "
                  "form its own form_id in the settings sheet"])
    problems = []
    try:
        field_map = mapping.field_map(survey)
    except mapping.Unmappable as exc:
        problems.append(str(exc))
        field_map = None
    names, media_problems = _media_names(built.xml)
    problems += media_problems
    kept = {}
    for name, content in media_files.items():
        if name == media.FILENAME:
            problems.append(f"{name} is made by the server from the facility registry: do not "
                            "upload it")
        elif not MEDIA_NAME.fullmatch(name):
            problems.append(f"{name!r}: a media file name is letters, digits, _ . - and .csv, "
                            ".xml, .geojson, .jpg, .jpeg, .png or .webp")
        elif name not in names:
            problems.append(f"{name} is not used by the form")
        else:
            if IMAGE_NAME.fullmatch(name):
                content, problem = _clean_image(name, content)
                if problem:
                    problems.append(problem)
                    continue
            problem = _check_media(name, content)
            if problem:
                problems.append(problem)
            kept[name] = content
    missing = sorted(names - set(kept) - {media.FILENAME})
    if missing:
        problems.append("the form reads " + ", ".join(missing) + ": upload "
                        + ("it" if len(missing) == 1 else "them") + " with the form")
    if problems:
        _refuse(problems)
    try:
        validate_warnings = _validate(built.xml)
    except build.FormInvalid as exc:
        _refuse([f"ODK Validate: {exc}"])
    version = survey.get("version") or ""
    if store.exists(session, principal.organisation_id, built.form_id, version):
        raise Conflict(f"Version {version} of {built.form_id} was uploaded already: raise the "
                       "version in the settings sheet.", {"xlsform": [
                           f"version {version} of {built.form_id} was uploaded already: raise "
                           "the version in the settings sheet"]})
    app_problems = app_support.unsupported(survey)
    version_id = store.insert(session, {
        "organisation_id": principal.organisation_id, "form_id": built.form_id,
        "version": version, "title": (survey.get("title") or built.form_id)[:300],
        "xlsform_name": filename[:255], "xlsform": data, "xml": built.xml.encode(),
        "survey_json": built.json.encode(), "field_map": field_map, "media_names": names,
        "app_problems": app_problems, "in_app": not app_problems,
        "uploaded_by": principal.user_id}, kept)
    audit.record_and_commit(session, "form.upload", principal, target_type="form_version",
                            target_id=version_id, details={
                                "form_id": built.form_id, "version": version,
                                "in_app": not app_problems, "app_problems": app_problems,
                                "warnings": list(built.warnings) + list(validate_warnings)})
    return store.get(session, version_id)


def _own(session: Session, principal: Principal, version_id, *, for_update: bool = False):
    row = store.get(session, version_id, for_update=for_update)
    require_access(row is not None and (principal.role == "admin"
                                        or row.organisation_id == principal.organisation_id),
                   "form version")
    return row


def listing(session: Session, principal: Principal):
    """The form versions the caller may see, newest first: its organisation's (any for admins)."""
    return store.listing(session, None if principal.role == "admin" else principal.organisation_id)


def readable(session: Session, principal: Principal, version_id):
    """A version the caller may see (its organisation's; any for admins), or 404."""
    return _own(session, principal, version_id)


def publish(session: Session, principal: Principal, version_id):
    """Offer this version to the organisation's devices; the version published before is
    retired. A retired version may be published again (going back to it)."""
    row = _own(session, principal, version_id)
    store.lock_form(session, row.organisation_id, row.form_id)
    row = store.get(session, version_id, for_update=True)
    if row.status == "published":
        raise Conflict(f"{row.form_id} version {row.version} is published already.")
    retired = store.retire_published(session, row.organisation_id, row.form_id,
                                     principal.user_id)
    store.set_status(session, version_id, "published", principal.user_id)
    audit.record_and_commit(session, "form.publish", principal, target_type="form_version",
                            target_id=version_id, details={
                                "form_id": row.form_id, "version": row.version,
                                "organisation_id": str(row.organisation_id),
                                "in_app": row.in_app, "app_problems": row.app_problems,
                                "retired": [r.version for r in retired]})
    return store.get(session, version_id)


def retire(session: Session, principal: Principal, version_id):
    """Stop offering this version (reports already made with it are still received)."""
    row = _own(session, principal, version_id)
    store.lock_form(session, row.organisation_id, row.form_id)
    row = store.get(session, version_id, for_update=True)
    if row.status != "published":
        raise Conflict(f"{row.form_id} version {row.version} is not published.")
    store.set_status(session, version_id, "retired", principal.user_id)
    audit.record_and_commit(session, "form.retire", principal, target_type="form_version",
                            target_id=version_id, details={
                                "form_id": row.form_id, "version": row.version,
                                "organisation_id": str(row.organisation_id)})
    return store.get(session, version_id)
