"""What a review decision looks like."""
from marshmallow import fields, validate

from ..core.validation import StrictSchema, Text, Timestamp


class ReviewSchema(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(["verify", "has_issues",
                                                                   "reject"]))
    comment = Text(4000, allow_none=True, metadata={
        "description": "Required for has_issues and reject: the monitor sees it"})
    updated_at = Timestamp(metadata={
        "description": "The record's `updated_at` as you read it. If it has changed since (an "
                       "edit by its monitor, another reviewer's decision), the answer is 409 and "
                       "nothing is decided: read it again. Send it: without it the decision "
                       "applies to whatever the record says now."})


class MergeSchema(StrictSchema):
    original_id = fields.UUID(required=True, metadata={"description": "The incident to keep"})
