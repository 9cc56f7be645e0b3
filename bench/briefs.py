"""The briefs benchmark (issue 20): a quarterly brief of every facility (scope "all") of the
busiest organisation over the bench database, composed from PostGIS and rendered to HTML and
PDF — internal, and for publication through a partner policy — beside the raw SQL of its main
aggregate (incidents by type and month of the quarter), measured in the same run.

    python -m bench.briefs              # the 1,000,000-incident database (generated if needed)
    python -m bench.briefs --smoke      # tiny data, one run: checks, no target

Target: each brief (compose + HTML + PDF) <= 20 s.
"""
from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import datetime, timezone

import psycopg

from . import generate

TARGET_S = 20.0
RAW = ("SELECT type, date_trunc('month', occurred_on), count(*) FROM incidents "
       "WHERE organisation_id = %s AND occurred_on >= %s AND occurred_on < %s GROUP BY 1, 2")


def busiest(url: str):
    with psycopg.connect(generate.libpq_url(url)) as conn:
        org, day = conn.execute(
            "SELECT organisation_id, max(occurred_on) FROM incidents GROUP BY 1 "
            "ORDER BY count(*) DESC LIMIT 1").fetchone()
    return org, day


def run(url: str, runs: int, log=print) -> list[tuple]:
    from server import create_app
    from server.briefs import compose, render
    from server.briefs.queries import Scope
    from server.core.db import db
    from server.partner.policy import Policy

    org, last_day = busiest(url)
    period = compose.period_of("quarter", last_day).previous()  # a complete quarter
    app = create_app({"DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    rows = []
    with psycopg.connect(generate.libpq_url(url)) as conn:
        started = time.perf_counter()
        conn.execute(RAW, (org, period.start, period.end)).fetchall()
        rows.append(("raw SQL: incidents by type and month", time.perf_counter() - started,
                     None))
    audiences = {"internal": None, "publication": Policy(
        organisation_id=uuid.uuid4(), location_precision="grid", grid_km=10,
        small_count_k=5)}
    with app.app_context():
        for name, policy in audiences.items():
            best = None
            for _ in range(runs):
                t0 = time.perf_counter()
                data = compose.compose(db.session, org, period, Scope("all"), policy=policy,
                                       now=datetime.now(timezone.utc))
                t1 = time.perf_counter()
                pdf = render.pdf(render.html(data, "fa"))
                t2 = time.perf_counter()
                db.session.rollback()
                assert pdf[:5] == b"%PDF-"
                best = min(best or (t2 - t0, t1 - t0), (t2 - t0, t1 - t0))
            log(f"[bench] {name}: {best[0]:.2f} s ({best[1]:.2f} s composing), "
                f"{len(data['facilities'])} facilities, {data['incidents']['total']} incidents")
            rows.append((f"{period.label} brief, {name}, Dari, compose + HTML + PDF", best[0],
                         best[0] <= TARGET_S))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.briefs",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, help="runs per brief, best kept (default 3; 1 "
                                                 "with --smoke)")
    params, args = generate.parse_args(argv, parser)
    url = generate.ensure(params, args.url, provision_db=not args.no_provision,
                          log=lambda m: print(m, file=sys.stderr, flush=True))
    rows = run(url, args.runs or (1 if args.smoke else 3),
               log=lambda m: print(m, file=sys.stderr, flush=True))
    print(f"Briefs benchmark — {params.incidents:,} incidents, target <= {TARGET_S:.0f} s")
    print("| measure | seconds | target met |\n|---|---|---|")
    for name, seconds, ok in rows:
        met = "" if ok is None or args.smoke else ("yes" if ok else "NO")
        print(f"| {name} | {seconds:.2f} | {met} |")
    return 0 if args.smoke or all(ok is not False for _, _, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
