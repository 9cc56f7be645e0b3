"""The feature collections served through OGC API – Features, and how a page of each is read.

Incidents go through the partner sharing policy (server.partner.policy), like every partner
output; facilities are the public registry of crossings, centres and camps.
"""
from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.orm import Session

from ..core.access import Principal
from ..core.errors import BadRequest
from ..core.pagination import Keyset, cut
from ..facilities import queries as facility_queries
from ..partner import sharing
from ..partner.policy import Filters

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
WORLD = [-180.0, -90.0, 180.0, 90.0]


@dataclass
class Page:
    features: str  # comma-separated GeoJSON features
    count: int
    next_cursor: str | None
    etag_basis: tuple = ()


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    scope: str
    temporal: bool  # has a date the `datetime` parameter applies to
    queryables: dict = field(default_factory=dict)  # name -> JSON schema of filterable props
    read_page: Callable = None
    read_one: Callable = None
    extent: Callable = None


def _outward(box) -> list[float]:
    """Whole degrees around a box: the extent says where to look, not where anything is."""
    if not box or any(v is None for v in box):
        return WORLD
    minx, miny, maxx, maxy = box
    return [max(-180.0, math.floor(minx)), max(-90.0, math.floor(miny)),
            min(180.0, math.ceil(maxx)), min(90.0, math.ceil(maxy))]


# --- incidents -----------------------------------------------------------------------------

INCIDENT_PAGES = Keyset("ogc.incidents", "datetime", "uuid")
FACILITY_PAGES = Keyset("ogc.facilities", "text", "uuid")


def incident_page(session: Session, principal: Principal, filters: Filters, cursor: str | None,
                  limit: int) -> Page:
    after = INCIDENT_PAGES.read(cursor, principal)
    page, policy = sharing.page(session, principal.organisation_id, filters, after, limit)
    next_cursor = INCIDENT_PAGES.token(page.last, principal) if page.last else None
    return Page(page.features, page.count, next_cursor, (policy.version,))


def incident_one(session: Session, principal: Principal, feature_id: str) -> str | None:
    try:
        incident_id = uuid.UUID(feature_id)
    except ValueError:
        return None
    return sharing.one(session, principal.organisation_id, incident_id)


def incident_extent(session: Session) -> list[float]:
    return _outward(sharing.extent(session))


# --- facilities ----------------------------------------------------------------------------

def facility_page(session: Session, principal: Principal, filters: Filters, cursor: str | None,
                  limit: int) -> Page:
    if filters.start or filters.end or filters.types or filters.facility_id:
        raise BadRequest("Facilities can be filtered by bbox and country only.")
    rows = facility_queries.list_features(session, bbox=filters.bbox, country=filters.country,
                                          after=FACILITY_PAGES.read(cursor, principal),
                                          limit=limit + 1)
    rows, following = cut(rows, limit, lambda r: (r["name"], r["id"]))
    next_cursor = FACILITY_PAGES.token(following, principal) if following else None
    features = ",".join(json.dumps(row["feature"], separators=(",", ":")) for row in rows)
    return Page(features, len(rows), next_cursor)


def facility_one(session: Session, principal: Principal, feature_id: str) -> str | None:
    try:
        facility_id = uuid.UUID(feature_id)
    except ValueError:
        return None
    feature = facility_queries.get_feature(session, facility_id)
    return json.dumps(feature, separators=(",", ":")) if feature else None


def facility_extent(session: Session) -> list[float]:
    return _outward(facility_queries.extent(session))


STRING = {"type": "string"}
COLLECTIONS = {
    "incidents": Collection(
        id="incidents", title="Incidents",
        description="Incidents at and around border crossings and detention centres, as your "
                    "organisation's sharing policy allows: locations generalised, small counts "
                    "shown as \"<k\", nothing that identifies a person.",
        scope="incidents:read", temporal=True,
        queryables={"type": STRING, "country": STRING, "occurred_on": {
            "type": "string", "format": "date"}, "facility_id": STRING},
        read_page=incident_page, read_one=incident_one, extent=incident_extent),
    "facilities": Collection(
        id="facilities", title="Facilities",
        description="The registry of border crossings, reception, transit, holding and "
                    "detention centres and camps that monitors visit.",
        scope="facilities:read", temporal=False, queryables={"country": STRING},
        read_page=facility_page, read_one=facility_one, extent=facility_extent),
}
