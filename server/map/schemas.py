"""Query arguments of the map's data API. Lists are comma-separated (`type=sgbv,death`) so a
map URL stays short and shareable."""
from __future__ import annotations

from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from ..core.statuses import REVIEW_STATUSES
from ..core.validation import BBox, StrictSchema, country_code
from ..facilities.models import KINDS
from ..incidents.taxonomy import incident_types

EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
MAX_LIST = 50


class Csv(fields.String):
    """`a,b,c` -> a tuple of values, each checked by `item` (a marshmallow field)."""

    def __init__(self, item: fields.Field, **kwargs):
        self.item = item
        kwargs.setdefault("metadata", {}).setdefault("description", "comma-separated")
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        parts = [p.strip() for p in super()._deserialize(value, attr, data, **kwargs).split(",")]
        if not all(parts):
            raise ValidationError("Empty item in the comma-separated list.")
        if len(parts) > MAX_LIST:
            raise ValidationError(f"At most {MAX_LIST} values.")
        values = []
        for part in parts:
            try:
                values.append(self.item.deserialize(part))
            except ValidationError as exc:
                raise ValidationError(f"{part!r}: {'; '.join(map(str, exc.messages))}")
        return tuple(dict.fromkeys(values))


def _one_of_types(value: str) -> None:
    if value not in incident_types():
        raise ValidationError("Not an incident type (see server/data/incident_types.csv).")


class Day(fields.Date):
    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= day <= LATEST:
            raise ValidationError(f"Must be between {EARLIEST} and {LATEST}.")
        return day


class DateRangeArgs(StrictSchema):
    from_ = Day(data_key="from", attribute="start", metadata={"example": "2024-01-01"})
    to = Day(attribute="end", metadata={"example": "2024-12-31"})

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("`from` must not be after `to`.", "to")


class FilterArgs(DateRangeArgs):
    type = Csv(fields.String(validate=_one_of_types), data_key="type", attribute="types",
               metadata={"example": "forced_return,pushback"})
    severity = Csv(fields.Integer(validate=validate.Range(min=1, max=5)),
                   attribute="severities", metadata={"example": "4,5"})
    status = Csv(fields.String(validate=validate.OneOf(REVIEW_STATUSES)), attribute="statuses",
                 metadata={"example": "submitted,verified"})
    organisation = Csv(fields.UUID(), attribute="organisations")
    country = Csv(fields.String(validate=country_code), attribute="countries",
                  metadata={"example": "AFG,PAK"})
    facility = Csv(fields.UUID(), attribute="facilities")


class IncidentMapArgs(FilterArgs):
    bbox = BBox(required=True, metadata={"description": "minLon,minLat,maxLon,maxLat",
                                         "example": "60,29,75,39"})
    zoom = fields.Integer(required=True, strict=False, validate=validate.Range(min=0, max=22),
                          metadata={"description": "the web map's zoom level", "example": 6})
    mode = fields.String(load_default="auto", validate=validate.OneOf(("auto", "cells",
                                                                        "heatmap")))


class HistogramArgs(FilterArgs):
    interval = fields.String(load_default="month",
                             validate=validate.OneOf(("day", "week", "month", "solar_month")),
                             metadata={"description": "the bars' span; solar_month: months of "
                                       "the Solar Hijri calendar, each bucket named by the "
                                       "Gregorian day it begins on"})


class FacilityLayerArgs(StrictSchema):
    bbox = BBox(metadata={"example": "60,29,75,39"})
    kind = Csv(fields.String(validate=validate.OneOf(KINDS)), attribute="kinds")
    country = Csv(fields.String(validate=country_code), attribute="countries")
    limit = fields.Integer(load_default=5000, validate=validate.Range(min=1, max=5000))


class FacilityHistoryArgs(DateRangeArgs):
    radius_m = fields.Integer(load_default=5000, validate=validate.Range(min=100, max=50_000))
    visits = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000),
                            metadata={"description": "how many of the latest visits"})
