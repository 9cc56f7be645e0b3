"""The page benchmark: /map, /review and /m/ in headless Chromium on a weak link, cold and warm.

    python -m bench.pages              # demo data in nezarat_bench_pages, 3 runs per page
    python -m bench.pages --runs 5 --out results.md
    python -m bench.pages --smoke      # unthrottled, 1 run: every page draws, no targets
    python -m bench.pages --base-url http://127.0.0.1:5000   # a server already running demo data

The link is a good day at a border post: 1.6 Mbps down, 750 kbps up, 150 ms round trip
(DevTools' Network.emulateNetworkConditions), on a phone-class CPU (4x slowdown,
Emulation.setCPUThrottlingRate). Cold: a new browser profile (empty HTTP cache, signed in).
Warm: the same page opened again in that profile. For each it prints the bytes moved over the
network (DevTools' encoded lengths: headers and compressed bodies) and the time from navigation
start until the page shows what it is for:
  /map     the first incident drawn (a count circle, a report dot or the heatmap's canvas)
  /review  the first card of the queue
  /m/      the first form ready to fill: the device sign-in form on a new phone (cold), the
           PIN form once signed in (warm)
Targets (issue 18): /map first load <= 300 KB and first incident <= 1.5 s; warm reload <= 40 KB.

Without --base-url the benchmark serves the app itself (gunicorn, 2 workers) on a free port,
over a database of its own with the demo data (`flask demo load`, DEMO_MODE=true).

    python -m bench.pages --lighthouse /tmp/lh/node_modules/.bin/lighthouse --runs 3

runs Lighthouse (npm `lighthouse@12.2.3`, installed outside the project:
`npm install --prefix /tmp/lh lighthouse@12.2.3`) on the same pages instead, driving Debian's
Chromium with its default mobile preset (simulated throttling), the coordinator signed in, and
prints the median scores, LCP, total blocking time and weight against the targets (performance
>= 97, accessibility and best practices 100, LCP <= 2.0 s) with the audits that failed.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = "postgresql+psycopg://nezarat:nezarat@127.0.0.1:5432/"
BENCH_URL = os.environ.get("BENCH_PAGES_DATABASE_URL", SERVER + "nezarat_bench_pages")
SMOKE_URL = os.environ.get("BENCH_SMOKE_PAGES_DATABASE_URL", SERVER + "nezarat_bench_smoke_pages")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LINK = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
        "uploadThroughput": 750_000 / 8}
CPU_SLOWDOWN = 4
TARGETS = {("/map", "cold", "kb"): 300, ("/map", "cold", "s"): 1.5, ("/map", "warm", "kb"): 40}

# Demo accounts (server/demo/accounts.py: published, DEMO_MODE only).
COORDINATOR, PASSWORD = "coordinator@arrm.example", "demo-coordinator-password"
TOTP_SECRET = "NEZARATDEMOTOTPSECRETKEY"
DEVICE_TOKEN = "nzd_demo-device-token-of-monitor-arrm-not-secret"
# 127.0.0.1 offers no WebAuthn, so the app asks for a strong passphrase instead of a PIN
PIN = "quartz lantern mosaic 47 drizzle"

# What each page is for, as a CSS selector: the time it first matches is the figure.
MARKERS = {
    "/map": "#nz-map path.nz-cell, #nz-map path.nz-incident, #nz-map canvas.nz-heat",
    "/review": ".nz-review-item",
    "/m/": "[data-screen=signin] textarea[name=token], [data-screen=unlock] input[name=pin]",
}
# Runs in every page before its scripts (outside its CSP): the moment each marker first matches.
WATCH = """
(() => {
  const markers = %s, seen = window.__nzSeen = {};
  function look() {
    for (const [name, selector] of Object.entries(markers)) {
      if (!(name in seen) && document.querySelector(selector)) { seen[name] = performance.now(); }
    }
  }
  new MutationObserver(look).observe(document, {childList: true, subtree: true, attributes: true});
})();
"""


@dataclass
class Load:
    page: str
    state: str  # cold | warm
    bytes: int
    seconds: float
    requests: int


@dataclass
class Results:
    loads: list[Load] = field(default_factory=list)

    def of(self, page: str, state: str) -> list[Load]:
        return [load for load in self.loads if load.page == page and load.state == state]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "server", *args], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)


@contextmanager
def served(database_url: str, provision: bool):
    """The app on a free port over `database_url`, with the demo data and built bundles."""
    env = dict(os.environ, DATABASE_URL=database_url, DEMO_MODE="true", LOG_LEVEL="WARNING")
    if provision:
        from .generate import provision as make_database
        make_database(database_url)
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    flask(env, "assets", "build")
    flask(env, "compress-static")
    port = free_port()
    log = tempfile.TemporaryFile()  # the server's own log, shown if it does not start
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4", "--access-logfile", "/dev/null", "server.wsgi:app"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit("the app did not start:\n" + log.read().decode())
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def sign_in(browser, base: str) -> dict:
    """The coordinator's signed-in cookies (password, then TOTP), for every cold profile."""
    import pyotp
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/sign-in")
    page.fill("input[name=email]", COORDINATOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/sign-in/two-factor**")
    for attempt in range(2):  # a code is single-use: a run just before may have spent it
        page.fill("input[name=code]", pyotp.TOTP(TOTP_SECRET).now())
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        if "/sign-in" not in page.url or attempt:
            break
        time.sleep(30.5 - time.time() % 30)
    if "/sign-in" in page.url:
        raise SystemExit("could not sign the demo coordinator in (run `flask demo load` with "
                         "DEMO_MODE=true)")
    state = context.storage_state()
    context.close()
    return state


class Meter:
    """One page's network (bytes over the wire, from DevTools) and throttling."""

    def __init__(self, page, throttle: bool):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.bytes, self.requests = 0, 0
        self.cdp.on("Network.loadingFinished", self._finished)
        if throttle:
            self.cdp.send("Network.emulateNetworkConditions", LINK)
            self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})

    def _finished(self, event):
        self.bytes += int(event.get("encodedDataLength", 0))
        self.requests += 1

    def reset(self) -> None:
        self.bytes, self.requests = 0, 0


def open_page(page, meter: Meter, base: str, path: str, state: str, timeout_ms: int) -> Load:
    meter.reset()
    page.goto(base + path, wait_until="commit")
    page.wait_for_selector(MARKERS[path], state="attached", timeout=timeout_ms)
    page.wait_for_load_state("networkidle", timeout=timeout_ms)
    seen = page.evaluate("window.__nzSeen")
    return Load(path, state, meter.bytes, seen[path] / 1000, meter.requests)


def pair_device(page) -> None:
    """The device sign-in on the phone app: from now on /m/ opens on the PIN form."""
    page.fill("textarea[name=token]", DEVICE_TOKEN)
    page.fill("input[name=pin]", PIN)
    page.fill("input[name=pin2]", PIN)
    page.click("[data-screen=signin] button[type=submit]")
    page.wait_for_selector("[data-screen=home] [data-action=new]", timeout=60_000)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    time.sleep(1)  # the service worker's precache


def measure(browser, base: str, runs: int, throttle: bool) -> Results:
    import json
    results = Results()
    storage = sign_in(browser, base)
    timeout = 60_000 if throttle else 20_000
    for _ in range(runs):
        for path in MARKERS:
            context = browser.new_context(viewport={"width": 1280, "height": 800},
                                          locale="en-GB",
                                          storage_state=None if path == "/m/" else storage)
            context.add_init_script(WATCH % json.dumps({path: MARKERS[path]}))
            page = context.new_page()
            meter = Meter(page, throttle)
            results.loads.append(open_page(page, meter, base, path, "cold", timeout))
            if path == "/m/":
                pair_device(page)
            results.loads.append(open_page(page, meter, base, path, "warm", timeout))
            context.close()
    return results


LIGHTHOUSE_TARGETS = {"performance": 97, "accessibility": 100, "best-practices": 100}
LCP_TARGET_S = 2.0


def lighthouse(binary: str, base: str, storage: dict, runs: int) -> list[dict]:
    """Lighthouse's figures for each page and run (the coordinator's cookies on /map and
    /review; /m/ as a new phone)."""
    import json
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in storage["cookies"])
    found = []
    with tempfile.TemporaryDirectory() as folder:
        headers = Path(folder) / "headers.json"
        headers.write_text(json.dumps({"Cookie": cookie}))
        for _ in range(runs):
            for path in MARKERS:
                out = Path(folder) / "report.json"
                subprocess.run(
                    [binary, base + path, "--quiet", "--output=json", f"--output-path={out}",
                     "--only-categories=performance,accessibility,best-practices",
                     "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
                    + ([] if path == "/m/" else [f"--extra-headers={headers}"]),
                    env=dict(os.environ, CHROME_PATH=CHROMIUM), check=True, cwd=folder)
                lhr = json.loads(out.read_text())
                audits = lhr["audits"]
                found.append({
                    "page": path,
                    # Lighthouse's simulated slowdown multiplies what the machine measured: a
                    # busy machine lowers the scores (README: compare at the same load).
                    "load": os.getloadavg()[0],
                    **{name: round(category["score"] * 100)
                       for name, category in lhr["categories"].items()},
                    "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
                    "tbt": audits["total-blocking-time"]["numericValue"],
                    "kib": audits["total-byte-weight"]["numericValue"] / 1024,
                    "failed": sorted(
                        ref["id"] for name in LIGHTHOUSE_TARGETS
                        for ref in lhr["categories"][name]["auditRefs"]
                        if ref.get("weight") and audits[ref["id"]].get("score") is not None
                        and audits[ref["id"]]["score"] < (0.9 if name == "performance" else 1))})
    return found


def lighthouse_report(found: list[dict]) -> tuple[str, bool]:
    runs = len([f for f in found if f["page"] == "/map"])
    lines = [f"Lighthouse 12 (mobile preset, simulated throttling); median of {runs} run(s).", "",
             "| page | performance | accessibility | best practices | LCP (s) | TBT (ms) | KiB "
             "| short of 90 (perf) / failed |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    met = True
    for path in MARKERS:
        rows = [f for f in found if f["page"] == path]
        median = {key: statistics.median(row[key] for row in rows)
                  for key in ("performance", "accessibility", "best-practices", "lcp", "tbt",
                              "kib")}
        cells = []
        for name, target in LIGHTHOUSE_TARGETS.items():
            ok = median[name] >= target
            met = met and ok
            cells.append(f"{median[name]:g} ({median[name] / target:.2f}x "
                         f"{'ok' if ok else 'MISSED'})")
        met = met and median["lcp"] <= LCP_TARGET_S
        failed = sorted({audit for row in rows for audit in row["failed"]})
        lines.append(f"| {path} | {' | '.join(cells)} | {median['lcp']:.2f} "
                     f"({median['lcp'] / LCP_TARGET_S:.2f}x) | {median['tbt']:.0f} | "
                     f"{median['kib']:.0f} | {', '.join(failed)} |")
    lines.append("")
    lines.append("every run (performance/accessibility/best practices, load average): " +
                 "; ".join(f"{f['page']} {f['performance']}/{f['accessibility']}/"
                           f"{f['best-practices']} ({f['load']:.1f})" for f in found))
    return "\n".join(lines), met


def report(results: Results, throttle: bool) -> tuple[str, bool]:
    link = (f"{LINK['downloadThroughput'] * 8 / 1e6:.1f} Mbps, {LINK['latency']} ms RTT, "
            f"{CPU_SLOWDOWN}x CPU slowdown" if throttle else "unthrottled (smoke)")
    lines = [f"Pages on {link}; median of {len(results.of('/map', 'cold'))} run(s).", "",
             "| page | load | KB moved | requests | first shown (s) | target KB | target s |",
             "|---|---|---:|---:|---:|---|---|"]
    met = True
    for path in MARKERS:
        for state in ("cold", "warm"):
            loads = results.of(path, state)
            kb = statistics.median(load.bytes for load in loads) / 1024
            seconds = statistics.median(load.seconds for load in loads)
            requests = statistics.median(load.requests for load in loads)
            cells = []
            for unit, value in (("kb", kb), ("s", seconds)):
                target = TARGETS.get((path, state, unit))
                if target is None:
                    cells.append("")
                    continue
                ratio = value / target
                met = met and ratio <= 1
                cells.append(f"{target:g} ({ratio:.2f}x {'ok' if ratio <= 1 else 'MISSED'})")
            lines.append(f"| {path} | {state} | {kb:.0f} | {requests:.0f} | {seconds:.2f} | "
                         f"{cells[0]} | {cells[1]} |")
    return "\n".join(lines), met


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true",
                        help="one unthrottled run in a database of its own: every page draws")
    parser.add_argument("--base-url", help="measure this running server (demo data) instead")
    parser.add_argument("--url", help="the database to serve (default nezarat_bench_pages)")
    parser.add_argument("--no-provision", action="store_true",
                        help="the database exists: do not run scripts/provision-db.sh")
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--lighthouse", metavar="BINARY",
                        help="run this Lighthouse (npm lighthouse@12.2.3) on the pages instead")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    throttle = not args.smoke
    runs = 1 if args.smoke else args.runs
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            def run(base: str):
                if args.lighthouse:
                    return lighthouse(args.lighthouse, base, sign_in(browser, base), runs)
                return measure(browser, base, runs, throttle)
            if args.base_url:
                results = run(args.base_url.rstrip("/"))
            else:
                url = args.url or (SMOKE_URL if args.smoke else BENCH_URL)
                with served(url, not args.no_provision) as base:
                    results = run(base)
        finally:
            browser.close()
    table, met = lighthouse_report(results) if args.lighthouse else report(results, throttle)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n")
    if args.smoke:
        return 0
    print("targets met" if met else "targets MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
