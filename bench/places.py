"""Where the synthetic data clusters: the real places of server/data/places.csv and the main
towns of Afghanistan, Iran and Pakistan (approximate town-centre coordinates, public knowledge).

Weights are rough relative shares of returns, arrests and detention reported around each place;
they only make the synthetic data lumpy in a plausible way.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

PLACES_CSV = Path(__file__).resolve().parents[1] / "server" / "data" / "places.csv"


@dataclass(frozen=True)
class Town:
    name: str
    country: str
    admin1: str
    lat: float
    lon: float
    weight: float


TOWNS: tuple[Town, ...] = tuple(Town(*row) for row in (
    # Afghanistan
    ("Kabul", "AFG", "Kabul", 34.53, 69.17, 30), ("Herat", "AFG", "Herat", 34.35, 62.20, 20),
    ("Kandahar", "AFG", "Kandahar", 31.61, 65.71, 15),
    ("Mazar-i-Sharif", "AFG", "Balkh", 36.71, 67.11, 10),
    ("Jalalabad", "AFG", "Nangarhar", 34.43, 70.45, 15), ("Kunduz", "AFG", "Kunduz", 36.73, 68.86, 6),
    ("Ghazni", "AFG", "Ghazni", 33.55, 68.42, 4), ("Lashkar Gah", "AFG", "Helmand", 31.59, 64.37, 5),
    ("Zaranj", "AFG", "Nimroz", 30.96, 61.86, 8), ("Khost", "AFG", "Khost", 33.34, 69.92, 5),
    ("Faizabad", "AFG", "Badakhshan", 37.12, 70.58, 2), ("Bamyan", "AFG", "Bamyan", 34.82, 67.83, 2),
    ("Farah", "AFG", "Farah", 32.37, 62.11, 3), ("Pul-e Khumri", "AFG", "Baghlan", 35.94, 68.71, 3),
    ("Asadabad", "AFG", "Kunar", 34.87, 71.15, 3), ("Gardez", "AFG", "Paktia", 33.60, 69.23, 3),
    ("Taloqan", "AFG", "Takhar", 36.74, 69.53, 2), ("Sheberghan", "AFG", "Jowzjan", 36.67, 65.75, 2),
    ("Maymana", "AFG", "Faryab", 35.92, 64.78, 2), ("Chaghcharan", "AFG", "Ghor", 34.52, 65.25, 1),
    ("Qalat", "AFG", "Zabul", 32.11, 66.91, 1), ("Tarinkot", "AFG", "Uruzgan", 32.63, 65.87, 1),
    ("Mehtarlam", "AFG", "Laghman", 34.67, 70.21, 2), ("Charikar", "AFG", "Parwan", 35.01, 69.17, 2),
    ("Islam Qala", "AFG", "Herat", 34.66, 61.07, 10),
    # Iran
    ("Tehran", "IRN", "Tehran", 35.69, 51.39, 25), ("Mashhad", "IRN", "Razavi Khorasan", 36.30, 59.60, 20),
    ("Isfahan", "IRN", "Isfahan", 32.65, 51.67, 10), ("Shiraz", "IRN", "Fars", 29.59, 52.58, 8),
    ("Tabriz", "IRN", "East Azerbaijan", 38.08, 46.29, 3), ("Karaj", "IRN", "Alborz", 35.84, 50.94, 8),
    ("Qom", "IRN", "Qom", 34.64, 50.88, 6), ("Kerman", "IRN", "Kerman", 30.28, 57.08, 6),
    ("Zahedan", "IRN", "Sistan and Baluchestan", 29.50, 60.86, 10),
    ("Yazd", "IRN", "Yazd", 31.90, 54.37, 5), ("Bandar Abbas", "IRN", "Hormozgan", 27.18, 56.27, 3),
    ("Ahvaz", "IRN", "Khuzestan", 31.32, 48.67, 2),
    ("Birjand", "IRN", "South Khorasan", 32.87, 59.22, 5),
    ("Torbat-e Jam", "IRN", "Razavi Khorasan", 35.24, 60.62, 4),
    ("Zabol", "IRN", "Sistan and Baluchestan", 31.03, 61.49, 5),
    ("Taybad", "IRN", "Razavi Khorasan", 34.74, 60.78, 5),
    ("Nishapur", "IRN", "Razavi Khorasan", 36.21, 58.80, 2), ("Arak", "IRN", "Markazi", 34.09, 49.69, 2),
    # Pakistan
    ("Karachi", "PAK", "Sindh", 24.86, 67.01, 20), ("Lahore", "PAK", "Punjab", 31.55, 74.34, 10),
    ("Islamabad", "PAK", "Islamabad", 33.68, 73.05, 12),
    ("Rawalpindi", "PAK", "Punjab", 33.60, 73.04, 6),
    ("Peshawar", "PAK", "Khyber Pakhtunkhwa", 34.01, 71.58, 25),
    ("Quetta", "PAK", "Balochistan", 30.18, 66.98, 20), ("Multan", "PAK", "Punjab", 30.20, 71.47, 3),
    ("Hyderabad", "PAK", "Sindh", 25.40, 68.37, 3), ("Chaman", "PAK", "Balochistan", 30.92, 66.45, 10),
    ("Landi Kotal", "PAK", "Khyber Pakhtunkhwa", 34.10, 71.14, 6),
    ("Attock", "PAK", "Punjab", 33.77, 72.36, 3), ("Mardan", "PAK", "Khyber Pakhtunkhwa", 34.20, 72.04, 3),
    ("Kohat", "PAK", "Khyber Pakhtunkhwa", 33.58, 71.44, 3),
    ("Nowshera", "PAK", "Khyber Pakhtunkhwa", 34.02, 71.98, 3),
    ("Haripur", "PAK", "Khyber Pakhtunkhwa", 33.99, 72.93, 3),
    ("Dera Ismail Khan", "PAK", "Khyber Pakhtunkhwa", 31.83, 70.90, 2),
    ("Zhob", "PAK", "Balochistan", 31.34, 69.45, 2), ("Gwadar", "PAK", "Balochistan", 25.13, 62.32, 1),
))

# Relative weight of each real place of places.csv (by name); crossings carry most returns.
REAL_PLACE_WEIGHTS = {
    "Islam Qala": 60, "Torkham": 50, "Spin Boldak–Chaman (Friendship Gate)": 35,
    "Zaranj (Silk Bridge to Milak)": 30, "Dogharoun": 25, "Angoor Adda": 5,
}
DEFAULT_REAL_WEIGHT = 12


def real_places() -> list[dict]:
    """The rows of places.csv with a float lat/lon and a weight."""
    with PLACES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["lat"], row["lon"] = float(row["lat"]), float(row["lon"])
        row["weight"] = REAL_PLACE_WEIGHTS.get(row["name"], DEFAULT_REAL_WEIGHT)
    return rows
