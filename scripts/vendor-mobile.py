#!/usr/bin/env python3
"""Copy the mobile app's one on-demand library (jsQR, read QR codes from a photo where the
browser has no BarcodeDetector) from node_modules/ into static/mobile/vendor/.

It is a devDependency in package.json, loaded only while signing in, and not part of the
offline app shell. Run after `npm ci` when its version changes; the copy is committed.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "node_modules" / "jsqr"
TARGET = ROOT / "static" / "mobile" / "vendor"


def main() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["jsqr"]
    manifest = SOURCE / "package.json"
    if not manifest.exists() or json.loads(manifest.read_text())["version"] != pinned:
        sys.exit(f"node_modules/jsqr is not {pinned}: run `npm ci` first")
    TARGET.mkdir(parents=True, exist_ok=True)
    code = (SOURCE / "dist" / "jsQR.js").read_text(encoding="utf-8")
    (TARGET / "jsQR.js").write_text(re.sub(r"^//# sourceMappingURL=.*$", "", code, flags=re.M),
                                    encoding="utf-8")
    shutil.copyfile(SOURCE / "LICENSE", TARGET / "jsQR.LICENSE")
    (TARGET / "jsQR.VERSION").write_text(pinned + "\n")
    print(f"[setup] vendored jsqr {pinned} into {TARGET.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
