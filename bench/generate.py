"""Synthetic monitoring data at scale, for the benchmarks (map, partner API).

    python -m bench.generate --incidents 1000000 --facilities 5000 --visits 200000

Provisions a separate database (default `nezarat_bench`, via scripts/provision-db.sh), migrates it
with the project's migrations, and fills it with COPY: organisations, facilities around the real
places of server/data/places.csv and the main towns of Afghanistan, Iran and Pakistan, visits
with assessment rings, and incidents clustered around crossings, centres and towns over three and
a half years with the surges of 2023 (Pakistan) and 2025 (Iran, Pakistan). Some incidents are
merged duplicates or retracted, as in real data.

`--smoke` makes a tiny data set instead (a few thousand incidents) in a database of its own
(`nezarat_bench_smoke`, or $BENCH_SMOKE_DATABASE_URL): seconds, for `make bench-smoke` in CI.

Idempotent: the parameters of the last run are kept in `bench_meta`; the same parameters again
skip the work, different ones wipe the domain tables and generate anew. Reusable: `ensure(params)`
returns the database URL, so another benchmark can share the data.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg

from .places import TOWNS, real_places

ROOT = Path(__file__).resolve().parents[1]
BENCH_URL = "postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat_bench"
SMOKE_URL = "postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/nezarat_bench_smoke"
GENERATOR_VERSION = 2  # bump when the shape of the data changes: forces a regeneration

INCIDENT_TYPES = {  # type: (relative frequency, typical severity)
    "forced_return": (30, 3), "pushback": (8, 3), "collective_expulsion": (6, 3),
    "arbitrary_arrest": (12, 3), "family_separation": (6, 4), "physical_violence": (7, 4),
    "sgbv": (1.5, 5), "ill_treatment": (8, 4), "death": (0.3, 5), "self_harm": (0.5, 5),
    "extortion": (7, 2), "document_confiscation": (2, 3), "denial_of_asylum": (4, 3), "child_detention": (3, 4),
    "denial_of_basic_needs": (6, 2), "denial_of_legal_access": (4, 2),
    "monitor_obstruction": (1, 2), "other": (2, 1)}
AREAS = ("space", "water", "sanitation", "food", "health", "protection", "legal_safeguards",
         "treatment", "contact")
DIMENSIONS = ("safety_treatment", "legal_protection", "material_conditions", "return_reception")
KINDS_BY_COUNTRY = {
    "AFG": (("reception_centre", 4), ("transit_centre", 3), ("camp", 2), ("border_crossing", 1),
            ("other", 1)),
    "IRN": (("detention_centre", 5), ("holding_centre", 3), ("border_crossing", 1)),
    "PAK": (("holding_centre", 4), ("detention_centre", 3), ("camp", 2), ("border_crossing", 1)),
}
# Surges: (country, centre, spread in days, share of that country's events).
SURGES = (("PAK", date(2023, 11, 5), 25, 0.22), ("PAK", date(2025, 4, 15), 20, 0.12),
          ("IRN", date(2024, 1, 20), 40, 0.10), ("IRN", date(2025, 7, 1), 20, 0.22),
          ("AFG", date(2023, 11, 8), 25, 0.12), ("AFG", date(2025, 7, 4), 20, 0.15),
          ("AFG", date(2025, 4, 20), 20, 0.07))
# Rough extents of the three countries, for the thin background of incidents reported anywhere.
EXTENTS = {"AFG": (60.5, 29.4, 75.0, 38.5), "IRN": (44.0, 25.1, 63.3, 39.8),
           "PAK": (60.9, 23.7, 77.0, 37.0)}
# Return routes (from, to town names): incidents along the roads to the crossings.
ROUTES = (("Tehran", "Islam Qala"), ("Mashhad", "Islam Qala"), ("Isfahan", "Zaranj"),
          ("Kerman", "Zaranj"), ("Zahedan", "Zaranj"), ("Karachi", "Chaman"),
          ("Quetta", "Chaman"), ("Lahore", "Landi Kotal"), ("Islamabad", "Landi Kotal"),
          ("Peshawar", "Landi Kotal"), ("Islam Qala", "Herat"), ("Landi Kotal", "Jalalabad"),
          ("Jalalabad", "Kabul"), ("Chaman", "Kandahar"), ("Herat", "Kabul"))
ORG_COUNTRIES = (("AFG",), ("AFG",), ("AFG",), ("AFG", "PAK"), ("AFG", "IRN"), ("IRN",),
                 ("IRN",), ("PAK",), ("PAK",), ("PAK", "AFG"))


@dataclass(frozen=True)
class Params:
    incidents: int = 1_000_000
    facilities: int = 5_000
    visits: int = 200_000
    seed: int = 5
    start: str = "2022-03-01"
    end: str = "2025-08-31"

    def key(self) -> dict:
        return {**asdict(self), "generator": GENERATOR_VERSION}


SMOKE = Params(incidents=3_000, facilities=60, visits=400)  # a smoke run: seconds, not minutes


def database_url(smoke: bool) -> str:
    """The benchmark database: never the same for a smoke run as for a real one, so a smoke run
    cannot replace the million incidents of the real data with a few thousand."""
    if smoke:
        return os.environ.get("BENCH_SMOKE_DATABASE_URL", SMOKE_URL)
    return os.environ.get("BENCH_DATABASE_URL", BENCH_URL)


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def provision(url: str) -> None:
    """Create the database on the local server with the project's script (idempotent)."""
    name = url.rsplit("/", 1)[1].split("?")[0]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    subprocess.run([str(ROOT / "scripts" / "provision-db.sh"), name], env=env, check=True,
                   cwd=ROOT)


class Sampler:
    """Weighted choice by bisecting a cumulative table: fast for a million draws."""

    def __init__(self, items, weights, rng: random.Random):
        self.items, self.rng = list(items), rng
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self):
        return self.items[bisect.bisect(self.cumulative, self.rng.random() * self.total)]


class Generator:
    def __init__(self, params: Params, conn: psycopg.Connection, log=print):
        self.p, self.conn, self.log = params, conn, log
        self.rng = random.Random(params.seed)
        self.start, self.end = date.fromisoformat(params.start), date.fromisoformat(params.end)
        self.days = (self.end - self.start).days + 1

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # -- time ----------------------------------------------------------------------------------
    def day_samplers(self) -> dict:
        """Per country, a sampler of days: a slowly rising base plus the surges."""
        samplers = {}
        for country in ("AFG", "IRN", "PAK"):
            base = [1.0 + 0.6 * d / self.days for d in range(self.days)]
            total = sum(base)
            weights = list(base)
            for c, centre, spread, share in SURGES:
                if c != country:
                    continue
                mid = (centre - self.start).days
                bump = [math.exp(-0.5 * ((d - mid) / spread) ** 2) for d in range(self.days)]
                scale = share * total / max(sum(bump), 1e-9)
                weights = [w + scale * b for w, b in zip(weights, bump)]
            samplers[country] = Sampler(range(self.days), weights, self.rng)
        return samplers

    # -- steps ---------------------------------------------------------------------------------
    def run(self) -> None:
        self.day_of = self.day_samplers()
        self.organisations()
        self.facilities()
        self.visits()
        self.incidents()

    def copy(self, table: str, columns: str, rows, total: int, what: str) -> None:
        started, done, buffer = time.monotonic(), 0, []
        with self.conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                buffer.append("\t".join("\\N" if v is None else str(v) for v in row))
                done += 1
                if len(buffer) == 20_000:
                    copy.write("\n".join(buffer) + "\n")
                    buffer.clear()
                if done % 100_000 == 0:
                    self.log(f"  {what}: {done:,}/{total:,} ({time.monotonic() - started:.0f} s)")
            if buffer:
                copy.write("\n".join(buffer) + "\n")
        self.log(f"  {what}: {done:,} in {time.monotonic() - started:.1f} s")

    def organisations(self) -> None:
        self.orgs = [self.uuid() for _ in ORG_COUNTRIES]
        self.orgs_in = {c: [o for o, cs in zip(self.orgs, ORG_COUNTRIES) if c in cs]
                        for c in ("AFG", "IRN", "PAK")}
        rows = [(o, f"Bench organisation {n + 1:02d}", f"BO{n + 1}", "coalition_member", cs[0])
                for n, (o, cs) in enumerate(zip(self.orgs, ORG_COUNTRIES))]
        self.copy("organisations", "id, name, short_name, kind, country", rows, len(rows),
                  "organisations")

    def facilities(self) -> None:
        """The real places, then synthetic facilities scattered around the towns."""
        rng, facs = self.rng, []
        for place in real_places()[: self.p.facilities]:
            facs.append(dict(id=self.uuid(), kind=place["kind"], name=place["name"],
                             country=place["country"], admin1=place["admin1"],
                             lon=place["lon"], lat=place["lat"], weight=place["weight"] * 8))
        town_of = Sampler(TOWNS, [t.weight for t in TOWNS], rng)
        kinds = {c: Sampler([k for k, _ in ks], [w for _, w in ks], rng)
                 for c, ks in KINDS_BY_COUNTRY.items()}
        for n in range(len(facs), self.p.facilities):
            town = town_of()
            kind = kinds[town.country]()
            facs.append(dict(id=self.uuid(), kind=kind, country=town.country, admin1=town.admin1,
                             name=f"{town.name} {kind.replace('_', ' ')} {n:04d}",
                             lon=town.lon + rng.gauss(0, 0.08), lat=town.lat + rng.gauss(0, 0.06),
                             weight=rng.lognormvariate(0, 1)))
        for fac in facs:
            fac["org"] = rng.choice(self.orgs_in[fac["country"]])
            fac["quality"] = rng.betavariate(2, 2)
            fac["trend"] = rng.gauss(0, 0.15)
            fac["denied"] = rng.choice((0.02, 0.05, 0.1, 0.3 if fac["country"] == "IRN" else 0.1))
        self.facs = facs
        self.fac_of = Sampler(facs, [f["weight"] for f in facs], rng)
        rows = ((f["id"], f["kind"], f["name"], f["country"], f["admin1"],
                 f"SRID=4326;POINT({f['lon']:.6f} {f['lat']:.6f})", "open") for f in facs)
        self.copy("facilities", "id, kind, name, country, admin1, location, status", rows,
                  len(facs), "facilities")

    def org_for(self, fac: dict):
        return fac["org"] if self.rng.random() < 0.8 else self.rng.choice(
            self.orgs_in[fac["country"]])

    def visits(self) -> None:
        rng = self.rng
        self.visit_rows = []  # (id, facility, org, day) for the incidents of visits

        def rows():
            for _ in range(self.p.visits):
                fac = self.fac_of()
                day = self.day_of[fac["country"]]()
                visit_id, org = self.uuid(), self.org_for(fac)
                self.visit_rows.append((visit_id, fac, org, day))
                started = datetime.combine(self.start + timedelta(days=day),
                                           datetime.min.time(), timezone.utc) \
                    + timedelta(hours=rng.uniform(6, 14))
                ended = started + timedelta(minutes=rng.uniform(30, 240))
                submitted = ended + timedelta(hours=rng.expovariate(1 / 6))
                quality = min(1.0, max(0.0, fac["quality"] + fac["trend"] * day / self.days
                                       + rng.gauss(0, 0.1)))
                rating = max(1, min(4, 1 + int(quality * 4)))
                ring = "red_flag" if quality < 0.15 else str(rating)
                areas = {a: rng.choices(("met", "partly_met", "not_met", "not_observed"),
                                        (quality, 0.4, 1 - quality, 0.1))[0] for a in AREAS}
                access = "denied" if rng.random() < fac["denied"] else rng.choices(
                    ("full", "partial"), (4, 1))[0]
                review = rng.choices(("verified", "submitted", "has_issues", "rejected"),
                                     (70, 18, 7, 5))[0]
                yield (visit_id, fac["id"], org, "openrosa", started.isoformat(),
                       ended.isoformat(), submitted.isoformat(),
                       f"SRID=4326;POINT({fac['lon'] + rng.gauss(0, 0.002):.6f} "
                       f"{fac['lat'] + rng.gauss(0, 0.002):.6f})",
                       round(rng.uniform(4, 60), 1), access,
                       "Refused at the gate" if access == "denied" else None,
                       *(None if access == "denied" else rng.randint(0, 80) for _ in range(4)),
                       json.dumps({"areas": {} if access == "denied" else areas}),
                       json.dumps({d: {"rating": None if access == "denied" else rating}
                                   for d in DIMENSIONS}),
                       "none" if access == "denied" else ring, review,
                       submitted.isoformat(), submitted.isoformat())
        self.copy("visits", "id, facility_id, organisation_id, source, started_at, ended_at, "
                  "submitted_at, position, position_accuracy_m, access, access_denied_reason, "
                  "held_women, held_men, held_girls, held_boys, scores, dimensions, ring, "
                  "review_status, "
                  "created_at, updated_at", rows(), self.p.visits, "visits")

    def incidents(self) -> None:
        rng = self.rng
        type_of = Sampler(list(INCIDENT_TYPES), [w for w, _ in INCIDENT_TYPES.values()], rng)
        town_of = Sampler(TOWNS, [t.weight for t in TOWNS], rng)
        recent_by_type: dict[str, list] = {t: [] for t in INCIDENT_TYPES}

        towns = {t.name: t for t in TOWNS}
        routes = [(towns[a], towns[b]) for a, b in ROUTES]

        def at_facility(r):
            if r < 0.50 and self.visit_rows:
                visit_id, fac, org, day = rng.choice(self.visit_rows)
                day = max(0, day - int(rng.expovariate(1 / 3)))
            else:
                visit_id, fac = None, self.fac_of()
                org, day = self.org_for(fac), self.day_of[fac["country"]]()
            lon, lat, precision = fac["lon"], fac["lat"], "facility"
            if rng.random() < 0.3:
                lon, lat, precision = lon + rng.gauss(0, 0.01), lat + rng.gauss(0, 0.01), "exact"
            return (visit_id, fac["id"], org, day, lon, lat, precision, fac["country"],
                    fac["admin1"])

        def elsewhere(r):
            if r < 0.88:  # around a town
                town = town_of()
                spread = rng.choice((0.02, 0.05, 0.15, 0.4))
                lon, lat = town.lon + rng.gauss(0, spread), town.lat + rng.gauss(0, spread)
                precision = "exact" if spread < 0.1 else "district"
            elif r < 0.94:  # along a return route
                a, b = rng.choice(routes)
                t = rng.random()
                town = a if t < 0.5 else b
                lon = a.lon + t * (b.lon - a.lon) + rng.gauss(0, 0.1)
                lat = a.lat + t * (b.lat - a.lat) + rng.gauss(0, 0.1)
                precision = "district"
            else:  # anywhere in a country, reported to the province
                country = rng.choice(("AFG", "IRN", "PAK"))
                x0, y0, x1, y1 = EXTENTS[country]
                town = next(t for t in TOWNS if t.country == country)
                lon, lat, precision = rng.uniform(x0, x1), rng.uniform(y0, y1), "province"
            country = town.country
            return (None, None, rng.choice(self.orgs_in[country]), self.day_of[country](), lon,
                    lat, precision, country, town.admin1 if precision != "province" else None)

        def place():
            """(visit, facility, org, day, lon, lat, precision, country, admin1)"""
            r = rng.random()
            return at_facility(r) if r < 0.78 else elsewhere(r)

        def rows():
            for _ in range(self.p.incidents):
                visit_id, fac_id, org, day, lon, lat, precision, country, admin1 = place()
                kind = type_of()
                severity = min(5, max(1, INCIDENT_TYPES[kind][1] + rng.choice((-1, 0, 0, 0, 1))))
                age = self.days - day
                status = rng.choices(("submitted", "has_issues", "verified", "rejected"),
                                     (60, 10, 25, 5) if age < 45 else (12, 8, 65, 15))[0]
                incident_id, recent = self.uuid(), recent_by_type[kind]
                duplicate_of = rng.choice(recent) if recent and rng.random() < 0.02 else None
                if duplicate_of is None:
                    recent.append(incident_id)
                    if len(recent) > 50:
                        recent.pop(0)
                created = datetime.combine(self.start + timedelta(days=day), datetime.min.time(),
                                           timezone.utc) + timedelta(hours=rng.uniform(8, 60))
                retracted = created + timedelta(days=2) if rng.random() < 0.01 else None
                yield (incident_id, visit_id, org, fac_id, kind,
                       (self.start + timedelta(days=day)).isoformat(),
                       f"SRID=4326;POINT({lon:.6f} {lat:.6f})", precision, country, admin1,
                       rng.choice((0, 0, 1, 2)), rng.choice((0, 1, 1, 2, 5)),
                       rng.choice((0, 0, 1)), rng.choice((0, 0, 1)), severity, status,
                       duplicate_of, retracted.isoformat() if retracted else None,
                       "withdrawn by the monitor" if retracted else None,
                       created.isoformat(), (retracted or created).isoformat())
        self.copy("incidents", "id, visit_id, organisation_id, facility_id, type, occurred_on, "
                  "location, location_precision, country, admin1, affected_women, affected_men, "
                  "affected_girls, affected_boys, severity, verification_status, duplicate_of, "
                  "retracted_at, retracted_reason, created_at, updated_at", rows(),
                  self.p.incidents, "incidents")


META_SQL = """CREATE TABLE IF NOT EXISTS bench_meta (
    name text PRIMARY KEY, params jsonb NOT NULL, generated_at timestamptz NOT NULL,
    seconds real NOT NULL)"""
DOMAIN_TABLES = "incidents, visits, facilities, organisations"
DERIVED_REBUILDS = ("map_rebuild",)  # SQL functions recomputing trigger-maintained tables


def ensure(params: Params = Params(), url: str = BENCH_URL, *, provision_db: bool = True,
           migrate=None, log=print) -> str:
    """The URL of a database holding exactly the data of `params` (generated only if needed)."""
    if provision_db:
        provision(url)
    if migrate is None:
        from server.core import schema
        migrate = schema.upgrade
    migrate(url)
    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute(META_SQL)
        have = conn.execute("SELECT params FROM bench_meta WHERE name = 'core'").fetchone()
        if have and have[0] == params.key():
            log(f"[bench] data already generated with {params.key()}: nothing to do")
            return url
        log(f"[bench] generating {params.key()} into {url.rsplit('/', 1)[1]}")
        started = time.monotonic()
        conn.execute(f"TRUNCATE {DOMAIN_TABLES} CASCADE")
        conn.execute("DELETE FROM bench_meta")
        # Tables derived from incidents by triggers (the map's counts) are rebuilt once at the
        # end, set-based, instead of row by row; foreign keys stay checked.
        conn.execute("ALTER TABLE incidents DISABLE TRIGGER USER")
        Generator(params, conn, log).run()
        conn.execute("ALTER TABLE incidents ENABLE TRIGGER USER")
        for rebuild in DERIVED_REBUILDS:
            if conn.execute("SELECT to_regproc(%s)", (rebuild,)).fetchone()[0]:
                log(f"[bench] {rebuild}()")
                conn.execute(f"SELECT {rebuild}()")
        seconds = time.monotonic() - started
        conn.execute("INSERT INTO bench_meta VALUES ('core', %s, now(), %s)",
                     (json.dumps(params.key()), seconds))
        log(f"[bench] committing ({seconds:.0f} s so far)")
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        log("[bench] VACUUM ANALYZE")
        conn.execute("VACUUM ANALYZE")
    log(f"[bench] done in {time.monotonic() - started:.0f} s")
    return url


def parse_args(argv=None, parser: argparse.ArgumentParser | None = None
               ) -> tuple[Params, argparse.Namespace]:
    """The data parameters (and --smoke, --url, --no-provision) on `parser`, shared by the
    benchmarks. With --smoke the defaults are those of SMOKE and its own database."""
    parser = parser or argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true",
                        help=f"a tiny data set ({SMOKE.incidents:,} incidents) in its own "
                             "database ($BENCH_SMOKE_DATABASE_URL or nezarat_bench_smoke): "
                             "checks that the benchmark works, measures nothing")
    for name, default in (("incidents", Params.incidents), ("facilities", Params.facilities),
                          ("visits", Params.visits), ("seed", Params.seed)):
        parser.add_argument(f"--{name}", type=int,
                            help=f"default {default:,} ({getattr(SMOKE, name):,} with --smoke)")
    parser.add_argument("--url", help="database to fill (default: $BENCH_DATABASE_URL or "
                                      f"{BENCH_URL.rsplit('/', 1)[1]})")
    parser.add_argument("--no-provision", action="store_true",
                        help="use --url as it is (do not run scripts/provision-db.sh)")
    args = parser.parse_args(argv)
    base = SMOKE if args.smoke else Params()
    params = Params(**{name: getattr(base, name) if getattr(args, name) is None
                       else getattr(args, name)
                       for name in ("incidents", "facilities", "visits", "seed")})
    args.url = args.url or database_url(args.smoke)
    return params, args


def main(argv=None) -> int:
    params, args = parse_args(argv)
    ensure(params, args.url, provision_db=not args.no_provision,
           log=lambda m: print(m, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
