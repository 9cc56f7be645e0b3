"""The timeline as an SVG (see timeline.py): one row per dimension, one cell per visit coloured
by its rating, hatched for insufficient evidence, a digit in each cell wide enough for one, red
flags as triangles (above the visit and in the flagged dimension's cell), a <title> per cell
(date, rating, evidence, organisation), a legend, and under it the indicators most often below
standard. Every text goes through `_esc`; mirrored for right-to-left pages."""
from __future__ import annotations

import hashlib
from html import escape

COLOURS = {1: ("#b2182b", "#ffffff"), 2: ("#ef8a62", "#000000"), 3: ("#67a9cf", "#000000"),
           4: ("#2166ac", "#ffffff")}
FLAG = "#4a0010"
LABEL_W, CELL_H, GAP, TOP, PLOT_W = 210, 26, 3, 22, 560


def _esc(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _word(labels: dict, key: str, default: str) -> str:
    return str(labels.get(key) or default)


def _cell_title(cell: dict, visit: dict, name: str, labels: dict, day) -> str:
    dims, ratings = labels.get("dimensions", {}), labels.get("ratings", {})
    evidence_names = labels.get("evidence", {})
    rating = "insufficient_evidence" if cell["insufficient"] else str(cell["rating"])
    lines = [f"{day(cell['date'])} · {dims.get(name, name)}: {ratings.get(rating, rating)}"]
    evidence = ", ".join(evidence_names.get(e, e) for e in cell["evidence"]) or \
        _word(labels, "noEvidence", "not recorded")
    lines.append(f"{_word(labels, 'evidenceWord', 'Evidence')}: {evidence}")
    if cell.get("source") and cell["source"] != "monitor":
        lines.append(_word(labels, "suggested", "suggested from the indicators"))
    lines.append(f"{_word(labels, 'organisation', 'Reported by')}: {visit['organisation']}")
    flags = labels.get("redFlags", {})
    named = [flags.get(f["code"], f["code"]) for f in visit["red_flags"]
             if f.get("dimension") == name]
    if named:
        lines.append(f"{_word(labels, 'redFlag', 'Red flag')}: {', '.join(named)}")
    return "\n".join(lines)


def _describe(data: dict, labels: dict, day) -> str:
    visits = data["visits"]
    if not visits:
        return _word(labels, "noVisits", "No visits yet.")
    dims, ratings = labels.get("dimensions", {}), labels.get("ratings", {})
    latest = []
    for row in data["rows"]:
        cell = row["cells"][-1]
        rating = "insufficient_evidence" if cell["insufficient"] else str(cell["rating"])
        latest.append(f"{dims.get(row['dimension'], row['dimension'])}: "
                      f"{ratings.get(rating, rating)}")
    flagged = sum(1 for v in visits if v["red_flags"])
    return (f"{_word(labels, 'visitCount', 'Visits')}: {len(visits)} "
            f"({day(visits[0]['date'])} – {day(visits[-1]['date'])}). "
            f"{_word(labels, 'latest', 'Latest visit')}: {'; '.join(latest)}. "
            f"{_word(labels, 'flaggedVisits', 'Visits with a red flag')}: {flagged}.")


def timeline_svg(data: dict, labels: dict, *, direction: str = "ltr", day=None) -> str:
    """The SVG text of `timeline_data(...)`, with `labels` in the reader's language
    (server.web.method_labels.timeline_labels) and each shown date through `day` (ISO text ->
    text in the reader's calendar: server.web.dates.day; ISO when not given). Data attributes
    keep ISO dates."""
    day = day or str
    rtl = direction == "rtl"
    visits, rows = data["visits"], data["rows"]
    count = max(len(visits), 1)
    cw = max(6, min(32, PLOT_W // count))
    width = max(LABEL_W + count * cw + 12, 660)
    uid = "nz-tl-" + hashlib.sha256(str(data["facility"]["id"]).encode()).hexdigest()[:8]

    def x(left: float, w: float = 0) -> float:
        return round(width - left - w, 1) if rtl else round(left, 1)

    grid_bottom = TOP + len(rows) * (CELL_H + GAP)
    below = data.get("below_standard") or []
    height = grid_bottom + 20 + 26 + 18 + (22 + 18 * len(below) if below else 0) + 8
    title = _word(labels, "title", "Conditions over time") + ": " + data["facility"]["name"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="nz-conditions-timeline" role="img" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'direction="{"rtl" if rtl else "ltr"}" font-family="sans-serif" font-size="12" '
           f'aria-labelledby="{uid}-t {uid}-d">',
           f'<title id="{uid}-t">{_esc(title)}</title>',
           f'<desc id="{uid}-d">{_esc(_describe(data, labels, day))}</desc>',
           f'<defs><pattern id="{uid}-ins" width="6" height="6" patternUnits="userSpaceOnUse" '
           f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eeeeee"/>'
           f'<line x1="0" y1="0" x2="0" y2="6" stroke="#666666" stroke-width="2"/></pattern>'
           f'</defs>']
    dims = labels.get("dimensions", {})
    flag_names = labels.get("redFlags", {})
    for r, row in enumerate(rows):
        y = TOP + r * (CELL_H + GAP)
        out.append(f'<text x="{x(4)}" y="{y + CELL_H / 2 + 4}" text-anchor="start">'
                   f'{_esc(dims.get(row["dimension"], row["dimension"]))}</text>')
        for i, cell in enumerate(row["cells"]):
            left = LABEL_W + i * cw
            visit = visits[cell["visit"]]
            fill = f"url(#{uid}-ins)" if cell["insufficient"] else COLOURS[cell["rating"]][0]
            rating = "insufficient" if cell["insufficient"] else str(cell["rating"])
            out.append(
                f'<g class="nz-cell-group"><title>'
                f'{_esc(_cell_title(cell, visit, row["dimension"], labels, day))}</title>'
                f'<rect class="nz-cell" data-dimension="{_esc(row["dimension"])}" '
                f'data-rating="{rating}" data-date="{_esc(cell["date"])}" '
                f'x="{x(left + 1, cw - 2)}" y="{y}" width="{cw - 2}" height="{CELL_H}" '
                f'fill="{fill}" stroke="#ffffff" stroke-width="0.5"/>')
            if not cell["insufficient"] and cw >= 14:
                out.append(f'<text x="{x(left + cw / 2)}" y="{y + CELL_H / 2 + 4}" '
                           f'text-anchor="middle" fill="{COLOURS[cell["rating"]][1]}" '
                           f'aria-hidden="true">{cell["rating"]}</text>')
            if cell["red_flag"]:
                tip = x(left + cw - 1)
                base = x(left + cw - 1 - min(10, cw - 2))
                out.append(f'<polygon class="nz-cell-flag" points="{base},{y} {tip},{y} '
                           f'{tip},{y + min(10, cw - 2)}" fill="{FLAG}" stroke="#ffffff" '
                           f'stroke-width="0.5"/>')
            out.append("</g>")
    for i, visit in enumerate(visits):
        if not visit["red_flags"]:
            continue
        mid = x(LABEL_W + i * cw + cw / 2)
        half = min(6, cw / 2)
        codes = sorted({f["code"] for f in visit["red_flags"]})
        tip = f"{day(visit['date'])} · {_word(labels, 'redFlag', 'Red flag')}: " + ", ".join(
            flag_names.get(c, c) for c in codes) + \
            f"\n{_word(labels, 'organisation', 'Reported by')}: {visit['organisation']}"
        out.append(f'<g class="nz-flag" data-date="{_esc(visit["date"])}" '
                   f'data-flags="{_esc(" ".join(codes))}"><title>{_esc(tip)}</title>'
                   f'<polygon points="{mid - half},{TOP - 16} {mid + half},{TOP - 16} '
                   f'{mid},{TOP - 4}" fill="{FLAG}"/></g>')
    axis = grid_bottom + 14
    if visits:
        out.append(f'<text class="nz-axis" x="{x(LABEL_W)}" y="{axis}" text-anchor="start">'
                   f'{_esc(day(visits[0]["date"]))}</text>')
        if len(visits) > 1:
            out.append(f'<text class="nz-axis" x="{x(LABEL_W + count * cw)}" y="{axis}" '
                       f'text-anchor="end">{_esc(day(visits[-1]["date"]))}</text>')
    else:
        out.append(f'<text x="{x(LABEL_W)}" y="{TOP + CELL_H}" text-anchor="start">'
                   f'{_esc(_word(labels, "noVisits", "No visits yet."))}</text>')
    out.extend(_legend(labels, uid, axis + 20, x))
    if below:
        y = axis + 26 + 18 + 22
        out.append(f'<text class="nz-below-heading" x="{x(4)}" y="{y}" text-anchor="start" '
                   f'font-weight="bold">'
                   f'{_esc(_word(labels, "belowStandard", "Most often below standard"))}'
                   f'</text>')
        template = _word(labels, "belowCount", "%(below)s of %(observed)s visits")
        for n, entry in enumerate(below):
            label = labels.get("indicators", {}).get(entry["code"], entry["label"])
            times = template % {"below": entry["not_met"] + entry["partly_met"],
                                "observed": entry["observed"]}
            out.append(f'<text class="nz-below" data-code="{_esc(entry["code"])}" x="{x(4)}" '
                       f'y="{y + 18 * (n + 1)}" text-anchor="start">'
                       f'{_esc(label)} — {_esc(times)}</text>')
    out.append("</svg>")
    return "".join(out)


def _legend(labels: dict, uid: str, y: float, x) -> list[str]:
    ratings = labels.get("ratings", {})
    items = [(COLOURS[r][0], ratings.get(str(r), str(r))) for r in (4, 3, 2, 1)]
    items.append((f"url(#{uid}-ins)", ratings.get("insufficient_evidence",
                                                    "insufficient evidence")))
    out, left = [], 4
    for n, (fill, text) in enumerate(items):
        if n == 4:  # insufficient evidence and the red flag on a second line
            left, y = 4, y + 18
        out.append(f'<rect x="{x(left, 12)}" y="{y - 10}" width="12" height="12" '
                   f'fill="{fill}" stroke="#666666" stroke-width="0.5"/>'
                   f'<text x="{x(left + 16)}" y="{y}" text-anchor="start" font-size="11">'
                   f'{_esc(text)}</text>')
        left += 16 + 6.2 * len(text) + 12
    out.append(f'<polygon points="{x(left)},{y - 10} {x(left + 12)},{y - 10} '
               f'{x(left + 6)},{y + 2}" fill="{FLAG}"/><text x="{x(left + 16)}" y="{y}" '
               f'text-anchor="start" font-size="11">'
               f'{_esc(_word(labels, "redFlag", "Red flag"))}</text>')
    return out
