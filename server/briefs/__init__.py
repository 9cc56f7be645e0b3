"""Periodic briefs (issue 20 point 4): a month's or quarter's picture of facility conditions and
incidents, for the organisation itself or for publication through a partner's sharing policy,
as HTML and PDF in English, Dari and Pashto."""
