#!/usr/bin/env python3
"""Copy the mobile app's libraries from node_modules/ into static/mobile/ (the copies are committed).

- jsQR (read QR codes from a photo where the browser has no BarcodeDetector): loaded only while
  signing in, not part of the offline shell (static/mobile/vendor/).
- zxcvbn-ts (passphrase strength, on phones without a hardware-bound key): loaded only while
  signing in (static/mobile/vendor/zxcvbn.js, one ES module bundled by esbuild).
- hash-wasm's Argon2id (the memory-hard passphrase KDF): needed at every unlock, offline, so it
  is part of the shell (static/mobile/lib/argon2.js, one ES module bundled by esbuild).

All are devDependencies pinned exactly in package.json (package-lock.json holds their hashes).
Run after `npm ci` when a version changes.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "node_modules"
MOBILE = ROOT / "static" / "mobile"
SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.M)

# output file -> (packages whose pinned version must be installed, ES module entry source)
BUNDLES = {
    MOBILE / "vendor" / "zxcvbn.js": (
        ("@zxcvbn-ts/core", "@zxcvbn-ts/language-common"),
        'import { zxcvbn, zxcvbnOptions } from "@zxcvbn-ts/core";\n'
        'import * as common from "@zxcvbn-ts/language-common";\n'
        "zxcvbnOptions.setOptions({ dictionary: { ...common.dictionary },\n"
        "  graphs: common.adjacencyGraphs });\n"
        "export { zxcvbn };\n"),
    MOBILE / "lib" / "argon2.js": (
        ("hash-wasm",),
        'export { argon2id } from "hash-wasm";\n'),
}


def pinned(name: str) -> str:
    version = json.loads((ROOT / "package.json").read_text())["devDependencies"][name]
    manifest = MODULES / name / "package.json"
    if not manifest.exists() or json.loads(manifest.read_text())["version"] != version:
        sys.exit(f"node_modules/{name} is not {version}: run `npm ci` first")
    return version


def copy_jsqr() -> None:
    version = pinned("jsqr")
    target = MOBILE / "vendor"
    target.mkdir(parents=True, exist_ok=True)
    code = (MODULES / "jsqr" / "dist" / "jsQR.js").read_text(encoding="utf-8")
    (target / "jsQR.js").write_text(SOURCE_MAP.sub("", code), encoding="utf-8")
    shutil.copyfile(MODULES / "jsqr" / "LICENSE", target / "jsQR.LICENSE")
    (target / "jsQR.VERSION").write_text(version + "\n")


def bundle(target: Path, packages: tuple[str, ...], entry: str) -> None:
    versions = {name: pinned(name) for name in packages}
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(MODULES / ".bin" / "esbuild"), "--bundle", "--format=esm", "--minify",
                    "--legal-comments=none", "--log-level=warning", f"--outfile={target}",
                    ], input=entry, text=True, check=True, cwd=ROOT)
    licences = []
    for name, version in versions.items():
        licence = next((p for p in (MODULES / name).glob("LICENSE*")), None)
        text = licence.read_text(encoding="utf-8") if licence else "(see package.json)"
        licences.append(f"{name} {version}\n\n{text}")
    target.with_suffix(".LICENSE").write_text("\n\n".join(licences), encoding="utf-8")


def main() -> None:
    copy_jsqr()
    for target, (packages, entry) in BUNDLES.items():
        bundle(target, packages, entry)
    print("[setup] vendored jsqr, zxcvbn-ts and hash-wasm (argon2id) into static/mobile/")


if __name__ == "__main__":
    main()
