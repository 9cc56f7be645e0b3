"""Partner API: the incremental incident feed and the streamed exports (thin HTTP layer)."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import request, stream_with_context

from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.http import Blueprint
from ..core.pagination import next_link
from . import docs, exports, feed, geojson, http, queries, service, sharing
from .hooks import mark_audited, query_of_request
from .schemas import ExportArgs, FeedArgs, filters_from

blp = Blueprint("partner", __name__, url_prefix="/api/partner/v1",
                description="For partner organisations (API key): verified incidents under the "
                            "organisation's sharing policy — an incremental feed and exports.")

GEOJSON = "application/geo+json"


def _sync_link(asof: datetime) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True)
            if k not in ("cursor", "updated_since")]
    args.append(("updated_since", asof.astimezone(timezone.utc).isoformat()))
    return request.base_url + "?" + urlencode(args)


@blp.route("/incidents", methods=["GET"])
@access.access(access.partner("incidents:read"))
@blp.arguments(FeedArgs, location="query")
@blp.doc(responses=docs.FEED_RESPONSES)
def incident_feed(args):
    """Incidents shared with your organisation, for incremental sync.

    Without `updated_since`: everything shareable now. With it: what changed since, where a
    feature whose `properties.deleted` is true is a tombstone (delete it from your copy). Follow
    `next` to the end of the pass, then keep `sync.updated_since` for your next sync."""
    session, principal = db.session, current_principal()
    page = feed.read(session, principal, args)
    links = [{"rel": "self", "type": GEOJSON, "href": request.url}]
    if page.next_cursor:
        links.append({"rel": "next", "type": GEOJSON, "href": next_link(page.next_cursor)})
    else:
        links.append({"rel": "sync", "type": GEOJSON, "href": _sync_link(page.asof)})
    sync = {"updated_since": page.asof.astimezone(timezone.utc).isoformat(),
            "complete": page.next_cursor is None, "policy_version": page.policy_version}
    body = geojson.collection(page.features, numberReturned=page.count, links=links, sync=sync)
    etag = geojson.weak_etag(page.policy_version, bool(page.next_cursor), page.features)
    service.record_call(session, principal, "partner.feed", query_of_request(), page.count,
                        tombstones=page.tombstones, commit=True)
    mark_audited()
    return http.respond(body, 200, {"Content-Type": GEOJSON, "ETag": etag,
                                    "Cache-Control": "private, no-cache"})


def _export(args, what: str, mimetype: str, extension: str):
    session, principal = db.session, current_principal()
    now = datetime.now(timezone.utc)
    policy, shared = sharing.shared_now(session, principal.organisation_id, now)
    filters, query = filters_from(args), query_of_request()
    queries.record_export(session, shared, filters)
    service.record_call(session, principal, f"partner.export.{extension}", query, 0,
                        started=True, policy_version=policy.version, commit=True)
    mark_audited()
    counter = exports.Counter()
    if what == "geojson":
        chunks = exports.geojson(session, shared, filters, counter,
                                 generated_at=now.isoformat(), policy_version=policy.version)
    else:
        chunks = exports.csv(session, shared, filters, counter)
    filename = f"nezarat-incidents-{now:%Y%m%d}.{extension}"
    audited = _audit_at_end(chunks, counter, principal, query, extension)
    return http.stream(stream_with_context(audited), mimetype, filename)


def _audit_at_end(chunks, counter, principal, query, extension):
    """Pass the chunks on; when the stream ends (or the client hangs up) audit the row count."""
    complete = False
    try:
        yield from chunks
        complete = True
    finally:
        session = db.session
        session.rollback()  # a COPY cut short leaves the transaction unusable
        service.record_call(session, principal, f"partner.export.{extension}.end", query,
                            counter.rows, complete=complete, commit=True)


@blp.route("/exports/incidents.geojson", methods=["GET"])
@access.access(access.partner("exports"))
@blp.arguments(ExportArgs, location="query")
@blp.doc(responses=docs.GEOJSON_EXPORT_RESPONSES)
def export_geojson(args):
    """Every incident shared with you, as one GeoJSON FeatureCollection (RFC 7946), streamed."""
    return _export(args, "geojson", GEOJSON, "geojson")


@blp.route("/exports/incidents.csv", methods=["GET"])
@access.access(access.partner("exports"))
@blp.arguments(ExportArgs, location="query")
@blp.doc(responses=docs.CSV_EXPORT_RESPONSES)
def export_csv(args):
    """Every incident shared with you as CSV: a header row, then an HXL hashtag row."""
    return _export(args, "csv", "text/csv", "csv")
