"""/m/: the mobile web app. The shell (page, manifest, service worker, scripts) is public and
carries no data; the forms and their media need a monitor's device token (Bearer)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request, send_from_directory, url_for

from ..cases import form as case_form
from ..core import access, http
from ..core.db import db
from ..core.errors import NotFound
from ..forms import catalog, encryption
from . import definitions, face, fieldmap, shell

blp = Blueprint("mobile", __name__, url_prefix="/m")
SHELL = access.public
DATA = access.device()


def _shell_response(response: Response) -> Response:
    # Revalidated on every load when online; offline the service worker answers.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _data_response(data: bytes, mimetype: str, etag: str) -> Response:
    """ETag for cheap refreshes; no-store so nothing lingers in the HTTP cache after a wipe
    (the app keeps its own copy in Cache Storage, which the wipe erases)."""
    response = Response(data, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-store"
    return response.make_conditional(request)


@blp.route("/")
@access.access(SHELL)
def app_shell():
    response = Response(face.index_html(face.current()), mimetype="text/html")
    # Argon2id (the passphrase KDF on phones without a hardware-bound key) is WebAssembly.
    response.headers["Content-Security-Policy"] = http.CSP.format(tiles="").replace(
        "script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
    return _shell_response(response)


@blp.route("/manifest.webmanifest")
@access.access(SHELL)
def manifest():
    return _shell_response(Response(face.manifest(face.current()),
                                    mimetype="application/manifest+json"))


@blp.route("/sw.js")
@access.access(SHELL)
def service_worker():
    response = Response(shell.service_worker(face.current()), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/m/"
    return _shell_response(response)


@blp.route("/static/<path:filename>")
@access.access(SHELL)
def static_file(filename):
    return _shell_response(send_from_directory(shell.STATIC, filename))


@blp.route("/forms/index.json")
@access.access(DATA)
def form_index():
    """The forms this device may fill in, with where to fetch each one's parts. A sealed form
    comes with its organisation's public sealing key (and is left out while there is none); so
    does the visit form, whose persons at risk are sealed."""
    principal = access.current_principal()
    sealing = case_form.sealing_key(db.session, principal.organisation_id)
    items = []
    for d in definitions.definitions(db.session, principal):
        if d.form.encryption == encryption.SEALED and sealing is None:
            continue
        item = {"id": d.form.id, "title": d.form.name, "version": d.form.version, "etag": d.etag,
                "definition": url_for(".form_definition", form_id=d.form.id),
                "fields": url_for(".form_fields", form_id=d.form.id)
                if fieldmap.export(d.form) is not None else None,
                "media": {name: url_for(".form_media", form_id=d.form.id, filename=name)
                          for name in d.form.media}}
        if sealing is not None and (d.form.encryption == encryption.SEALED
                                    or d.form.id in case_form.SEALING_FORMS):
            item["sealing_key"] = sealing
        items.append(item)
    config = current_app.config
    response = jsonify({"forms": items, "retention": {
        "flag_days": config["MOBILE_DRAFT_FLAG_DAYS"],
        "erase_days": config["MOBILE_DRAFT_ERASE_DAYS"]}})
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/forms/<form_id>.json")
@access.access(DATA)
def form_definition(form_id):
    definition = definitions.get(db.session, access.current_principal(), form_id)
    return _data_response(definition.data, "application/json", definition.etag)


@blp.route("/forms/<form_id>/fields.json")
@access.access(DATA)
def form_fields(form_id):
    """Where each answer goes in the JSON body of POST /api/submissions."""
    exported = fieldmap.export(
        definitions.get(db.session, access.current_principal(), form_id).form)
    if exported is None:
        raise NotFound(f"Form {form_id!r} has no field mapping.")
    data = json.dumps(exported, separators=(",", ":")).encode()
    return _data_response(data, "application/json", definitions.etag_of(data))


@blp.route("/forms/<form_id>/media/<filename>")
@access.access(DATA)
def form_media(form_id, filename):
    data = definitions.media(definitions.get(db.session, access.current_principal(), form_id),
                             filename, db.session)
    return _data_response(data, catalog.media_type(filename), definitions.etag_of(data))
