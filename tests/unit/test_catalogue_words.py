"""Distinct English terms get distinct words (issue 18): a Dari card once read "Status: Sent /
Sent: date" because "Submitted" and "Sent" had one translation. No catalogue may give two
different source strings the same translation unless each says why, in a translator comment
starting "same word:" (e.g. a kind of organisation and a type of incident, never on one page).
Strings that differ only in case or punctuation ("Sign in" / "Sign-in") are one term."""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGUES = sorted((Path(__file__).resolve().parents[2] / "server" / "translations")
                    .glob("*/LC_MESSAGES/messages.po"))
MARK = "same word:"


def term(msgid: str) -> str:
    return re.sub(r"[\W_]+", "", msgid.casefold())


def collisions(path: Path) -> list[tuple[str, list[str]]]:
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    by_translation = defaultdict(list)
    for message in catalogue:
        if message.id and isinstance(message.id, str) and message.string:
            by_translation[message.string.strip()].append(message)
    found = []
    for translation, messages in by_translation.items():
        if len({term(m.id) for m in messages}) < 2:
            continue
        unmarked = [m.id for m in messages
                    if not any(c.startswith(MARK) for c in m.user_comments)]
        if unmarked:
            found.append((translation, sorted(m.id for m in messages)))
    return found


@pytest.mark.parametrize("path", [p for p in CATALOGUES if p.parts[-3] != "en"],
                         ids=lambda p: p.parts[-3])
def test_no_two_terms_share_a_translation_without_a_reason(path):
    assert collisions(path) == []


def test_the_check_catches_what_it_is_for(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Sent"\nmsgstr "فرستاده‌شده"\n\nmsgid "Submitted"\nmsgstr "فرستاده‌شده"\n\n'
                  'msgid "Sign in"\nmsgstr "ورود"\n\nmsgid "Sign-in"\nmsgstr "ورود"\n\n'
                  '# same word: never on one page\nmsgid "Kind"\nmsgstr "نوع"\n\n'
                  '# same word: never on one page\nmsgid "Type"\nmsgstr "نوع"\n', encoding="utf-8")
    assert collisions(po) == [("فرستاده‌شده", ["Sent", "Submitted"])]
