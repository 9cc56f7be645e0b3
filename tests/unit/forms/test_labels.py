"""Every label, hint and message of the visit form in English, Dari and Pashto."""
import re

from .xform import LANGUAGES, described, itext

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


def test_the_form_speaks_exactly_the_three_languages():
    assert set(itext()) == set(LANGUAGES)
    assert described()["default_language"] == "English (en)"


def test_every_text_exists_in_every_language():
    texts = itext()
    ids = set(texts["English (en)"])
    assert len(ids) > 200
    for language in LANGUAGES:
        assert set(texts[language]) == ids, language
        empty = [text_id for text_id, value in texts[language].items() if not value.strip()]
        assert empty == [], language


def test_dari_and_pashto_are_written_in_their_script_not_copied():
    texts = itext()
    for language in ("Dari (prs)", "Pashto (ps)"):
        untranslated = [text_id for text_id, value in texts[language].items()
                        if not ARABIC_SCRIPT.search(value)]
        assert untranslated == [], language


def test_dari_and_pashto_differ_where_the_languages_differ():
    texts = itext()
    same = [i for i in texts["Dari (prs)"] if texts["Dari (prs)"][i] == texts["Pashto (ps)"][i]]
    # a few words are the same in both (army, smugglers, severity, unknown); most are not
    assert len(same) < len(texts["Dari (prs)"]) / 10


def test_every_question_group_and_choice_has_a_label_in_all_languages():
    def walk(element):
        for child in element.get("children", []):
            if child["name"] == "meta" or child.get("type") == "calculate":
                continue
            assert set(child.get("label", {})) == set(LANGUAGES), child["name"]
            if "hint" in child:
                assert set(child["hint"]) == set(LANGUAGES), child["name"]
            walk(child)  # groups, repeats, and the inline choices of selects
    walk(described())
    for list_name, choices in described()["choices"].items():
        for choice in choices:
            assert set(choice["label"]) == set(LANGUAGES), (list_name, choice["name"])
