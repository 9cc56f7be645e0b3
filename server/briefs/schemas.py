"""What a brief request may hold, and how a kept brief is described."""
from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, pre_load, validate

from ..core.pagination import CursorField

LANGS = ("en", "fa", "ps")


class BriefRequestSchema(Schema):
    period_kind = fields.String(required=True, validate=validate.OneOf(("month", "quarter")))
    # bounded: a brief compares with the period before, and Python's dates end at year 1 and 9999
    period_start = fields.Date(required=True, validate=validate.Range(
        min=date(1900, 1, 1), max=date(2999, 12, 31)), metadata={
        "description": "Any day of the month or quarter (1900 to 2999)"})
    scope_kind = fields.String(load_default="all",
                               validate=validate.OneOf(("all", "country", "facility")))
    scope_value = fields.String(load_default="", validate=validate.Length(max=64), metadata={
        "description": "ISO alpha-3 country code, or a facility id"})
    audience = fields.String(load_default="internal",
                             validate=validate.OneOf(("internal", "publication")))
    partner_id = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "The partner organisation whose sharing policy a published brief "
                       "goes through"})
    language = fields.String(load_default="en", validate=validate.OneOf(LANGS))


class BriefSchema(Schema):
    id = fields.UUID(required=True)
    period_kind = fields.String(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    scope_kind = fields.String(required=True)
    scope_value = fields.String(required=True)
    audience = fields.String(required=True)
    partner_id = fields.UUID(allow_none=True)
    policy_version = fields.Integer(allow_none=True)
    language = fields.String(required=True)
    pdf_bytes = fields.Integer(required=True)
    scheduled = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class BriefListArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = CursorField()


class DownloadArgs(Schema):
    format = fields.String(load_default="pdf", validate=validate.OneOf(("pdf", "html")))


class ScheduleSchema(Schema):
    period_kind = fields.String(required=True, validate=validate.OneOf(("month", "quarter")))
    scope_kind = fields.String(load_default="all",
                               validate=validate.OneOf(("all", "country", "facility")))
    scope_value = fields.String(load_default="", validate=validate.Length(max=64))
    audience = fields.String(load_default="internal",
                             validate=validate.OneOf(("internal", "publication")))
    partner_id = fields.UUID(load_default=None, allow_none=True)
    languages = fields.List(fields.String(validate=validate.OneOf(LANGS)),
                            load_default=lambda: ["en"], validate=validate.Length(min=1, max=3))


class ScheduleOutSchema(Schema):
    id = fields.UUID(required=True)
    period_kind = fields.String(required=True)
    scope_kind = fields.String(required=True)
    scope_value = fields.String(required=True)
    audience = fields.String(required=True)
    partner_id = fields.UUID(allow_none=True)
    languages = fields.List(fields.String(), required=True)
    created_at = fields.DateTime(required=True)


def _split_scope(data: dict) -> dict:
    """The pages' one `scope` choice ("all", "country:AFG", "facility:<id>") as the API's two
    fields."""
    data = dict(data)
    scope = data.pop("scope", None)
    if scope is not None:
        kind, _, value = str(scope).partition(":")
        data.update(scope_kind=kind, scope_value=value)
    return data


class BriefFormSchema(BriefRequestSchema):
    """The briefs page's form to make one (server/web/brief_pages.py)."""

    @pre_load
    def _scope(self, data, **kwargs):
        return _split_scope(data)


class ScheduleFormSchema(ScheduleSchema):
    """The briefs page's form to schedule one."""

    @pre_load
    def _scope(self, data, **kwargs):
        return _split_scope(data)
