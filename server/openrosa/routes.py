"""The OpenRosa door for ODK Collect and Enketo, with device tokens in the path (/key/<token>/).
Only HTTP and XML here: translation is in translate.py, rules in the visits service."""
from __future__ import annotations

from email.utils import formatdate

from flask import Blueprint, Response, current_app, request, url_for

from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.errors import BadRequest, NotFound, PayloadTooLarge, register_formatter
from ..core.urls import absolute
from ..forms import catalog
from ..visits import service as visits
from . import encrypted, multipart, receive_encrypted, translate
from .xml import form_list, manifest, parse, response

blp = Blueprint("openrosa", __name__)
DEVICE = access.device()
XML = "text/xml; charset=utf-8"


def _xml(body: str | bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type=XML)


@blp.after_request
def _openrosa_headers(resp: Response) -> Response:
    resp.headers["X-OpenRosa-Version"] = "1.0"
    resp.headers.setdefault("Date", formatdate(usegmt=True))
    if request.endpoint and request.endpoint.endswith("submission"):
        resp.headers["X-OpenRosa-Accept-Content-Length"] = str(
            current_app.config["MAX_SUBMISSION_BYTES"])
    return resp


def error_response(status: int, detail: str, headers: dict) -> Response:
    status = 400 if status == 422 else status  # OpenRosa knows 400 for any refused content
    resp = _xml(response(detail, "error"), status)
    for name, value in headers.items():
        resp.headers[name] = value
    if status == 401 and "WWW-Authenticate" not in resp.headers:
        resp.headers["WWW-Authenticate"] = 'Basic realm="Nezarat: use the device link or QR code"'
    return resp


@blp.route("/key/<token>/formList")
@access.access(DEVICE)
def form_list_view(token):
    """The forms this device may fill in."""
    wanted = request.args.get("formID")
    items = []
    for form in catalog.offered(db.session, current_principal()):
        if wanted and form.id != wanted:
            continue
        xml = catalog.served_xml(form, db.session, current_principal())
        if xml is None:
            continue
        items.append({
            "id": form.id, "name": form.name, "version": form.version, "md5": catalog.md5(xml),
            "download_url": absolute(url_for(".form_download", token=token, form_id=form.id)),
            "manifest_url": absolute(url_for(".form_manifest", token=token, form_id=form.id))
            if form.media else None})
    return _xml(form_list(items))


@blp.route("/key/<token>/forms/<form_id>.xml")
@access.access(DEVICE)
def form_download(token, form_id):
    xml = catalog.served_xml(catalog.find(db.session, current_principal(), form_id),
                             db.session, current_principal())
    if xml is None:
        raise NotFound(f"Form {form_id!r} is not offered to this device.")
    return _xml(xml)


@blp.route("/key/<token>/forms/<form_id>/manifest")
@access.access(DEVICE)
def form_manifest(token, form_id):
    form = catalog.find(db.session, current_principal(), form_id)
    media = [{"filename": name,
              "md5": catalog.md5(catalog.media_file(form, name, db.session)),
              "download_url": absolute(url_for(".form_media", token=token, form_id=form.id,
                                               filename=name))}
             for name in form.media]
    return _xml(manifest(media))


@blp.route("/key/<token>/forms/<form_id>/media/<filename>")
@access.access(DEVICE)
def form_media(token, form_id, filename):
    data = catalog.media_file(catalog.find(db.session, current_principal(), form_id), filename,
                              db.session)
    content_type = catalog.media_type(filename)
    return Response(data, content_type=content_type if catalog.is_image(filename)
                    else content_type + "; charset=utf-8")


@blp.route("/submission", methods=["HEAD", "POST"], endpoint="tokenless_submission")
@blp.route("/formList", endpoint="tokenless_formlist")
@access.access(DEVICE)
def tokenless():
    """Without a device token there is nothing to do: the gate answers 401 with a challenge."""
    return _xml(response("Use the link from your coordinator's QR code.", "error"), 401)


@blp.route("/key/<token>/submission", methods=["HEAD", "POST"])
@access.access(DEVICE)
def submission(token):
    if request.method == "HEAD":
        return Response(status=204)
    limit = current_app.config["MAX_SUBMISSION_BYTES"]
    if (request.content_length or 0) > limit:
        raise PayloadTooLarge(f"The submission is larger than {limit} bytes; ODK Collect splits "
                              "larger ones.")
    files = multipart.parse(request.get_data(cache=False), request.content_type)
    body = files.pop("xml_submission_file", None)
    if body is None:
        raise BadRequest("The request has no xml_submission_file part.")
    incomplete = files.pop("*isIncomplete*", b"").strip().lower() == b"yes"
    root = parse(body)
    if encrypted.is_manifest(root):
        outcome = receive_encrypted.receive(root, body, files, current_principal(),
                                            complete=not incomplete)
        return _xml(response(outcome.message), outcome.status)
    report = translate.report_from_xml(body, current_principal())
    result = visits.submit(report, current_principal(), instance_id=str(report["id"]),
                           source="openrosa", body=body, files=files, complete=not incomplete)
    if result.created:
        message = "Visit report received."
    elif result.stored_files:
        message = f"Added {len(result.stored_files)} file(s) to a report already received."
    else:
        message = "This report was already received."
    return _xml(response(message), 201 if result.created else 202)


@blp.record_once
def _speak_openrosa_errors(state) -> None:
    register_formatter(state.app, blp.name, error_response)
