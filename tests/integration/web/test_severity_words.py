"""Severity is defined once (the form's hint and the README: 1 minor, 2 moderate, 3 serious,
4 severe, 5 critical): the pages name each level with the form's own word, in every language."""
import pytest
from flask_babel import force_locale

from server.forms.labels import question_labels
from server.web.workspace import severity_labels


@pytest.mark.parametrize("language, locale", [("en", "en"), ("prs", "fa_AF"), ("ps", "ps")])
def test_the_pages_name_each_severity_level_as_the_form_does(app, language, locale):
    form = question_labels(language, "incident")["severity"]["choices"]
    with app.test_request_context(), force_locale(locale):
        pages = severity_labels()
    assert set(pages) == set(form) == {"1", "2", "3", "4", "5"}
    for level, text in form.items():
        number, _, word = text.partition(" – ")
        word = word.split(":")[0]
        assert pages[level] == f"{number} · {word}", (level, pages[level], text)
