"""What an admin may set on a country record."""
from marshmallow import fields, validate

from ..core.validation import StrictSchema, Text
from .models import ANSWERS


class CountryFactsSchema(StrictSchema):
    country = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Z]{3}$", error="ISO 3166 alpha-3 code in capitals, e.g. IRN."))
    judicial_review = fields.String(load_default="unknown", validate=validate.OneOf(ANSWERS))
    detention_time_limit_days = fields.Integer(allow_none=True, validate=validate.Range(
        min=0, max=3650))
    asylum_procedure = fields.String(load_default="unknown", validate=validate.OneOf(ANSWERS))
    note = Text(2000, allow_none=True)
    source_url = fields.Url(allow_none=True, schemes={"https", "http"})
