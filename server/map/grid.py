"""The grid the map counts incidents on, and how a date range is split over precomputed months.

Level k has square cells of 8 / 4**k degrees. A cell's index is floor(lon / cell_deg); since
every cell size is a power of two, it is also the index on the finest grid (floor(lon * 128),
stored with each incident in map_points) shifted right by `shift` bits. Levels 0-3 have
precomputed counts per month (map_cells, map_cells_total); levels 4-5 are counted from map_points,
whose views are small enough. Must match the rows of map_levels (migration 0005).
"""
from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, timedelta

FINEST_PER_DEGREE = 128
MIN_CELL_PX = 20  # the finest level whose cells are at least this wide on screen
TILE_PX = 256
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)  # "no bound" (month-aligned)


@dataclass(frozen=True)
class Level:
    level: int
    cell_deg: float
    shift: int
    cube: bool

    def cell_px(self, zoom: int) -> float:
        return self.cell_deg * TILE_PX * 2 ** zoom / 360


LEVELS = tuple(Level(k, 8 / 4 ** k, 10 - 2 * k, k <= 3) for k in range(6))


def level_for_zoom(zoom: int) -> Level:
    fitting = [lv for lv in LEVELS if lv.cell_px(zoom) >= MIN_CELL_PX]
    return fitting[-1] if fitting else LEVELS[0]


@dataclass(frozen=True)
class CellRange:
    """Cells x0..x1, y0..y1 of one level (inclusive), and the same area on the finest grid."""
    level: Level
    x0: int
    y0: int
    x1: int
    y1: int

    @classmethod
    def covering(cls, bbox, level: Level) -> "CellRange":
        minx, miny, maxx, maxy = bbox
        size = level.cell_deg
        return cls(level, math.floor(minx / size), math.floor(miny / size),
                   math.floor(maxx / size), math.floor(maxy / size))

    @property
    def count(self) -> int:
        return (self.x1 - self.x0 + 1) * (self.y1 - self.y0 + 1)

    def finest(self) -> tuple[int, int, int, int]:
        s = self.level.shift
        return self.x0 << s, self.y0 << s, ((self.x1 + 1) << s) - 1, ((self.y1 + 1) << s) - 1


def fit(bbox, level: Level, max_cells: int) -> CellRange:
    """The cells of `level` covering bbox, coarsened until there are at most `max_cells`."""
    cells = CellRange.covering(bbox, level)
    while cells.count > max_cells and cells.level.level > 0:
        cells = CellRange.covering(bbox, LEVELS[cells.level.level - 1])
    return cells


def month_index(day: date) -> int:
    return (day.year - 2000) * 12 + day.month - 1


def first_of(day: date) -> date:
    return day.replace(day=1)


def last_of(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class TimePlan:
    """Whole months read from the monthly counts (plus waiting deltas of those months), and edge
    days read from map_points with a sign: a partial month is either its covered days (+1), or
    the whole month minus its uncovered days (-1), whichever reads fewer days."""
    months: tuple[int, int] | None  # inclusive month indexes, None = no whole month
    month_days: tuple[date, date] | None  # the same months as days, for the deltas
    edges: tuple[tuple[date, date, int], ...]


def plan(start: date | None, end: date | None) -> TimePlan:
    start, end = start or EARLIEST, end or LATEST
    m0, m1, edges = month_index(start), month_index(end), []
    if m0 == m1 and (start.day > 1 or end < last_of(end)):
        covered = (end - start).days + 1
        if covered <= last_of(end).day - covered:
            return TimePlan(None, None, ((start, end, 1),))
        if start.day > 1:
            edges.append((first_of(start), start - timedelta(days=1), -1))
        if end < last_of(end):
            edges.append((end + timedelta(days=1), last_of(end), -1))
    else:
        if start.day > 1:
            if last_of(start).day - start.day + 1 <= start.day - 1:
                edges.append((start, last_of(start), 1))
                m0 += 1
            else:
                edges.append((first_of(start), start - timedelta(days=1), -1))
        if end < last_of(end):
            if end.day <= last_of(end).day - end.day:
                edges.append((first_of(end), end, 1))
                m1 -= 1
            else:
                edges.append((end + timedelta(days=1), last_of(end), -1))
    if m0 > m1:
        return TimePlan(None, None, tuple(edges))
    first = date(2000 + m0 // 12, m0 % 12 + 1, 1)
    last = last_of(date(2000 + m1 // 12, m1 % 12 + 1, 1))
    return TimePlan((m0, m1), (first, last), tuple(edges))
