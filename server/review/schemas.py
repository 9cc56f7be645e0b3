"""What a review decision looks like."""
from marshmallow import fields, validate

from ..core.validation import StrictSchema, Text


class ReviewSchema(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(["verify", "has_issues",
                                                                   "reject"]))
    comment = Text(4000, allow_none=True, metadata={
        "description": "Required for has_issues and reject: the monitor sees it"})


class MergeSchema(StrictSchema):
    original_id = fields.UUID(required=True, metadata={"description": "The incident to keep"})
