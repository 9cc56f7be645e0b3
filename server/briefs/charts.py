"""The brief's map and chart, drawn server-side as SVG with matplotlib (Agg, no display), on the
offline base map's admin-1 outlines (static/basemap/): no tiles, nothing from the internet.

They carry no words — only marks and numbers — so that no right-to-left text has to be shaped
by matplotlib; legends and labels are in the HTML around them.
"""
from __future__ import annotations

import io
import json
import threading
from functools import lru_cache
from pathlib import Path
from types import ModuleType

BASEMAP = Path(__file__).resolve().parents[2] / "static" / "basemap"
# Worst first, as vocabulary.RINGS; the same colours as the map workspace's legend.
RING_COLOURS = {"red_flag": "#b2182b", "1": "#d6604d", "2": "#f4a582",
                "insufficient": "#9e9e9e", "3": "#92c5de", "4": "#2166ac", "none": "#ffffff"}
LABELLED = 300  # facilities numbered on the map at most
_lock = threading.Lock()  # matplotlib's font cache and rcParams are not thread-safe


@lru_cache(maxsize=1)
def _mpl() -> ModuleType:
    """matplotlib (Agg, no display), imported when a brief is drawn, not by every process that
    serves the app (it costs a quarter of a second at each start)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.collections
    import matplotlib.figure
    return matplotlib


@lru_cache(maxsize=1)
def _outlines() -> list:
    """Admin-1 outlines as lists of (lon, lat) rings."""
    rings = []
    for name in ("admin1.geojson", "borders.geojson"):
        data = json.loads((BASEMAP / name).read_text(encoding="utf-8"))
        for feature in data["features"]:
            geom = feature["geometry"]
            kind, coords = geom["type"], geom["coordinates"]
            if kind == "Polygon":
                rings += coords
            elif kind == "MultiPolygon":
                rings += [r for poly in coords for r in poly]
            elif kind == "LineString":
                rings.append(coords)
            elif kind == "MultiLineString":
                rings += coords
    return rings


def _svg(fig) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight", pad_inches=0.05, dpi=200)
    text = out.getvalue()
    return text[text.index("<svg"):]  # no XML prolog or doctype inside the HTML


def facility_map(marks: list[dict]) -> str:
    """Facilities as circles coloured by ring: those with a number (a visit or an incident in
    the period) numbered as in the table, with the incident count (when given) beside it; the
    others small grey dots. One collection per ring, so thousands of facilities stay cheap."""
    xs = [m["lon"] for m in marks] or [60.0, 75.0]
    ys = [m["lat"] for m in marks] or [25.0, 38.0]
    pad = max(1.5, 0.15 * max(max(xs) - min(xs), max(ys) - min(ys)))
    x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
    listed = [m for m in marks if m.get("number")]
    quiet = [m for m in marks if not m.get("number")]
    with _lock:
        fig = _mpl().figure.Figure(figsize=(7.0, 5.0))
        ax = fig.add_subplot()
        ax.add_collection(_mpl().collections.LineCollection(_outlines(), colors="#8a8a8a",
                                                            linewidths=0.4))
        if quiet:
            ax.scatter([m["lon"] for m in quiet], [m["lat"] for m in quiet], s=4,
                       c="#c8c8c8", linewidths=0, zorder=2, rasterized=True)
        size = 70 if len(listed) <= 100 else 30 if len(listed) <= 500 else 12
        for ring, colour in RING_COLOURS.items():
            group = [m for m in listed if m["ring"] == ring]
            if group:
                ax.scatter([m["lon"] for m in group], [m["lat"] for m in group], s=size,
                           c=colour, edgecolors="#222", linewidths=0.6, zorder=3,
                           rasterized=len(listed) > LABELLED)  # a picture, not 1000s of marks
        if len(listed) <= LABELLED:  # beyond, numbers would cover each other: the table lists
            for m in listed:
                label = str(m["number"]) if m.get("incidents") is None else \
                    f"{m['number']} ({m['incidents']})"
                ax.annotate(label, (m["lon"], m["lat"]), xytext=(5, 4),
                            textcoords="offset points", fontsize=7, zorder=4)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1.25)
        ax.tick_params(labelsize=7)
        return _svg(fig)


def bars(current: list, previous: list) -> str:
    """Incidents by type, this period beside the previous one; the bars are numbered as the
    table's rows. A withheld count ("<k", "×") is drawn as no bar."""
    def value(v):
        return v if isinstance(v, int) else 0
    with _lock:
        fig = _mpl().figure.Figure(figsize=(7.0, 2.6))
        ax = fig.add_subplot()
        idx = list(range(1, len(current) + 1))
        ax.bar([i - 0.2 for i in idx], [value(v) for v in previous], width=0.4,
               color="#bdbdbd")
        ax.bar([i + 0.2 for i in idx], [value(v) for v in current], width=0.4,
               color="#b2182b")
        ax.set_xticks(idx)
        ax.tick_params(labelsize=7)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return _svg(fig)
