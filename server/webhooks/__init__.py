"""Webhooks for partners: every change of a partner's feed (an upsert or a tombstone, made by
the feed's own policy SQL and recorded in its delivery ledger) POSTed, signed, in order, with
retries for a day and a dead letter after that."""
