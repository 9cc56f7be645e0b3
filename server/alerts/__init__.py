"""Alerts for coordinators: rules (per organisation or per person), notifications in the app,
and email (immediate or an hourly/daily digest), evaluated by jobs enqueued in the transaction
of the change that may trigger them."""
