#!/usr/bin/env python3
"""Copy the browser libraries pinned in package.json from node_modules/ into static/vendor/.

`make install` runs `npm ci` and then this script; Flask-Assets bundles static/vendor/ with our
own files (server/web/assets.py). Only the files the pages use are copied, with their licences.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# package -> files to copy (relative to the package; the directory part after dist/ is kept)
FILES = {
    "leaflet": ["dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png",
                "dist/images/layers-2x.png", "dist/images/marker-icon.png",
                "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png", "LICENSE"],
    "leaflet.heat": ["dist/leaflet-heat.js", "LICENSE"],
}
# The source maps are not shipped, so the comment pointing at them would only 404 in devtools.
SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


def pinned_versions() -> dict[str, str]:
    return json.loads((ROOT / "package.json").read_text())["dependencies"]


def copy_package(name: str, version: str) -> None:
    package_dir = MODULES / name
    manifest = package_dir / "package.json"
    if not manifest.exists():
        sys.exit(f"node_modules/{name} is missing: run `npm ci` (or `make install`) first")
    installed = json.loads(manifest.read_text())["version"]
    if installed != version:
        sys.exit(f"node_modules/{name} is {installed}, package.json pins {version}: run `npm ci`")
    target_dir = VENDOR / name
    for relative in FILES[name]:
        source = package_dir / relative
        target = target_dir / relative.removeprefix("dist/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix == ".js":
            target.write_text(SOURCE_MAP.sub("", source.read_text(encoding="utf-8")),
                              encoding="utf-8")
        else:
            shutil.copyfile(source, target)
    (target_dir / "VERSION").write_text(version + "\n")


def main() -> None:
    versions = pinned_versions()
    unknown = set(versions) - set(FILES)
    if unknown:
        sys.exit(f"package.json lists {sorted(unknown)}: say in scripts/vendor.py what to copy")
    for name, version in versions.items():
        copy_package(name, version)
    print(f"[setup] vendored {', '.join(f'{n} {v}' for n, v in versions.items())} "
          f"into {VENDOR.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
