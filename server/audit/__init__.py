"""Browsing and verifying the audit log (the writer lives in core.audit)."""
