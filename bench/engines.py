"""The form-engine benchmark (issue 14): what each candidate engine adds to the phone app's shell
(gzipped) and how long it takes to make the visit form ready on a phone-class CPU.

    python -m bench.engines            # 4x CPU slowdown, 5 runs each, median
    python -m bench.engines --smoke    # no slowdown, 1 run: every engine loads the form

Candidates, each bundled by esbuild (minified, as it would ship) from node_modules:
  ours     static/mobile/js/model.js, xpath.js, render.js and the modules they use for forms
           (odk_functions, itext, instances, widgets; served as they are, no bundle)
  odk      @getodk/xforms-engine, ODK Web Forms' engine (no UI: the Vue UI, @getodk/web-forms,
           is measured for size only)
  orxe     openrosa-xpath-evaluator, Enketo's XPath layer (evaluating the form's binds once over
           its XML instance; it is only the XPath part of an engine)
Ready: from `import()` of the engine's module to the visit form's instance built with its
relevance and calculations evaluated (ours: rendered too), in headless Chromium with
Emulation.setCPUThrottlingRate 4. The ratio printed is each against ours, measured in the
same run.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MOBILE_JS = ROOT / "static" / "mobile" / "js"
BUILD = ROOT / "mobile_forms" / "build"
HERE = Path(__file__).resolve().parent / "form_engines"
OURS = ("model.js", "xpath.js", "render.js", "odk_functions.js", "itext.js", "instances.js", "widgets.js")
ORIGIN = "http://localhost:9"  # a secure context (crypto.randomUUID), never reached: routed
KINDS = ("border_crossing", "reception_centre", "transit_centre", "holding_centre")


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def bundle(entry: Path, out: Path) -> Path:
    subprocess.run([str(ROOT / "node_modules" / ".bin" / "esbuild"), str(entry), "--bundle",
                    "--minify", "--format=esm", "--platform=browser", "--log-level=error",
                    "--external:fs", "--external:path", "--external:module",
                    f"--outfile={out}"], check=True, cwd=ROOT)
    return out


def facilities_csv(count: int = 60) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("name", "label", "label_prs", "label_ps", "kind", "country", "lat", "lon"))
    for i in range(count):
        writer.writerow((f"f{i}", f"Facility {i}", f"محل {i}", f"ځای {i}", KINDS[i % 4],
                         "AF" if i % 2 else "IR", "34.5", "69.1"))
    return out.getvalue()


def sizes(tmp: Path) -> dict[str, int]:
    ours = sum(gz((MOBILE_JS / name).read_bytes()) for name in OURS)
    found = {"ours": ours}
    for name in ("odk", "orxe"):
        found[name] = gz(bundle(HERE / f"{name}.mjs", tmp / f"{name}.js").read_bytes())
    web_forms = ROOT / "node_modules" / "@getodk" / "web-forms" / "dist" / "index.js"
    found["web-forms"] = gz(web_forms.read_bytes())
    return found


def ready_times(tmp: Path, runs: int, throttle: float) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    csv_text = facilities_csv()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    payload = {
        "def": json.loads((BUILD / "nezarat_visit.json").read_text()),
        "xml": (BUILD / "nezarat_visit.xml").read_text(),
        "csv": csv_text,
        "media": {"facilities.csv": rows},
    }
    files = {f"/m/static/js/{p.name}": p.read_bytes() for p in MOBILE_JS.glob("*.js")}
    files["/ours.js"] = (HERE / "ours.mjs").read_bytes()
    files["/odk.js"] = (tmp / "odk.js").read_bytes()
    files["/orxe.js"] = (tmp / "orxe.js").read_bytes()
    files["/payload.json"] = json.dumps(payload).encode()
    files["/"] = b"<!doctype html><html lang='en'><body></body></html>"
    calls = {
        "ours": "m.ready(p.def, p.media)",
        "odk": "m.ready(p.xml, p.csv)",
        "orxe": "m.ready(p.xml)",
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox"])
        try:
            for _ in range(runs):
                for name, call in calls.items():
                    context = browser.new_context()  # a cold start each time
                    page = context.new_page()

                    def serve(route, request):
                        path = request.url[len(ORIGIN):].split("?")[0]
                        body = files.get(path)
                        if body is None:
                            return route.fulfill(status=404, body="")
                        kind = "text/html" if path == "/" else "application/json" \
                            if path.endswith(".json") else "text/javascript"
                        return route.fulfill(status=200, body=body, content_type=kind)

                    page.route(f"{ORIGIN}/**", serve)
                    page.goto(f"{ORIGIN}/")
                    cdp = context.new_cdp_session(page)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
                    elapsed = page.evaluate(f"""async () => {{
                        const p = await (await fetch("/payload.json")).json();
                        const t0 = performance.now();
                        try {{
                          const m = await import("/{name}.js");
                          await {call};
                        }} catch (e) {{ return String(e.stack || e); }}
                        return performance.now() - t0;
                    }}""")
                    if isinstance(elapsed, str):
                        raise RuntimeError(f"{name}: {elapsed}")
                    times[name].append(elapsed)
                    context.close()
        finally:
            browser.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    runs, throttle = (1, 1.0) if args.smoke else (args.runs, 4.0)
    with tempfile.TemporaryDirectory() as tmp:
        found = sizes(Path(tmp))
        times = ready_times(Path(tmp), runs, throttle)
    print(f"engine      gzip KB   ready ms (CPU x{throttle:g}, median of {runs})  vs ours")
    base = statistics.median(times["ours"])
    for name in ("ours", "odk", "orxe", "web-forms"):
        t = statistics.median(times[name]) if name in times else None
        ready = f"{t:10.0f}" if t is not None else "       n/a"
        ratio = f"{t / base:6.1f}x" if t is not None else "      "
        print(f"{name:10} {found[name] / 1024:8.1f}   {ready}{' ' * 28}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
