"""A composed brief as HTML (one self-contained file: styles and SVG inside) and as PDF
(WeasyPrint: Pango and HarfBuzz shape Dari and Pashto right to left)."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import charts
from .words import direction, method_labels, type_labels, words

_env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                   autoescape=select_autoescape(["html"]), trim_blocks=False)
_NAME = {"fa": "name_prs", "ps": "name_pus"}
PDF_ROWS = 50  # rows of a long table in the PDF; the HTML edition holds them all
SECTION_ROWS = 6  # a section's latest visits in the PDF (a facility can have hundreds a quarter)


def _cut(rows: list, limit: int | None, keep=None) -> tuple[list, int]:
    """(the rows printed, how many more): at most `limit`; `keep` orders which ones stay
    (gravest first), shown then in their own order."""
    if limit is None or len(rows) <= limit:
        return rows, 0
    if keep is None:
        return rows[:limit], len(rows) - limit
    kept = {id(r) for r in sorted(rows, key=keep)[:limit]}
    return [r for r in rows if id(r) in kept], len(rows) - limit


def _gravest(f: dict) -> tuple:
    return (-len(f["concern"]), -(f["incidents"] or 0), -f["visits"], f["number"])


def draw(brief: dict) -> dict:
    """The brief's charts, which neither the language nor the rows shown change: drawn once
    for both editions of a brief (each takes a large part of rendering one)."""
    current = [row["total"] for row in brief["incidents"]["by_type"]]
    previous = [row["previous"] for row in brief["incidents"]["by_type"]]
    return {"map_svg": charts.facility_map(brief["facilities"]),
            "bars_svg": charts.bars(current, previous) if current else ""}


def html(brief: dict, language: str, timeline_svg=None, rows: int | None = None,
         drawings: dict | None = None) -> str:
    """`timeline_svg`: (section, labels, direction) -> SVG text, or None. `rows`: the long
    tables (facilities, places, red flags, access) stop there, and a section's table of visits
    at its SECTION_ROWS latest, saying how many more rows the whole (HTML) edition has; None:
    every row. `drawings`: the brief's charts when already drawn (draw())."""
    labels = method_labels(language)
    w, dir_ = words(language), direction(language)
    _env.filters["evidence"] = lambda code: labels["evidence"].get(code, code)
    svg_labels = {"dimensions": labels["dimension"], "redFlags": labels["flag"],
                  "evidence": labels["evidence"], "title": w["timeline"]}
    if dir_ == "rtl":
        # WeasyPrint draws SVG text without bidi or Arabic shaping: the timeline carries no
        # words in Dari and Pashto (the table under it names the dimensions, in order).
        blank = " "
        svg_labels = {"dimensions": dict.fromkeys(labels["dimension"], blank),
                      "ratings": {"insufficient_evidence": blank}, "redFlag": blank,
                      "title": blank}
    for section in brief["sections"]:
        if section.get("timeline_language") != language:  # drawn once per language
            section["timeline_svg"] = (timeline_svg(section, svg_labels, dir_)
                                       if timeline_svg and section.get("timeline") else None)
            section["timeline_language"] = language
    sections_of = {s["facility"]["id"] for s in brief["sections"]}
    tables = {
        "summary": _cut([f for f in brief["facilities"] if f["number"]], rows, _gravest),
        "places": _cut(brief["incidents"]["by_place"], rows),
        "findings": _cut(brief["findings"], rows),
        "access": _cut(brief["access"], rows, lambda r: (-r["denied"], -r["partial"])),
        # a section's visits: the latest ones (its timeline above shows them all)
        "visits": {s["facility"]["id"]: (s["visits"], 0) if rows is None
                   or len(s["visits"]) <= SECTION_ROWS else
                   (s["visits"][-SECTION_ROWS:], len(s["visits"]) - SECTION_ROWS)
                   for s in brief["sections"]}}
    policy = brief.get("policy") or {}
    protection = w["protection_published"].format(
        embargo=policy.get("embargo_days", 0), precision=policy.get("precision", ""),
        k=brief["k"], k1=max(brief["k"] - 1, 1)) if policy else ""

    def fname(f: dict) -> str:
        return f.get(_NAME.get(language, "")) or f["name"]

    return _env.get_template("brief.html").render(
        b=brief, w=w, m=labels, lang=language, dir=dir_, types=type_labels(language),
        colours=charts.RING_COLOURS, fname=fname, protection=protection, t=tables,
        sections_of=sections_of, **(drawings or draw(brief)))


def pdf(document: str) -> bytes:
    from weasyprint import HTML  # imported when used: it loads Pango at import
    return HTML(string=document, base_url=None).write_pdf()
