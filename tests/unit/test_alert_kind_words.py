"""Every kind of alert rule has a word on the notifications page (in each language)."""
from __future__ import annotations

from server.alerts.kinds import KINDS
from server.web.notification_pages import kind_labels


def test_every_kind_of_rule_has_a_word(app):
    with app.test_request_context():
        assert set(kind_labels()) == set(KINDS)
