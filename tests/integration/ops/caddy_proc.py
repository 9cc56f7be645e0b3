"""Caddy with deploy/Caddyfile in front of a test gunicorn, on plain HTTP at 127.0.0.1 (the same
file a server uses; only its environment differs: NEZARAT_DOMAIN=http://127.0.0.1:PORT, the
upstream, the log folder, no admin endpoint). `caddy` comes from Debian's package, extracted by
scripts/system-deps.sh without installing it (the package would start a server)."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import requests

from tests.integration.ops.gunicorn_proc import ROOT, free_port


class Caddy:
    def __init__(self, upstream: str, tmp: Path):
        self.binary = shutil.which("caddy")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_dir = tmp / "caddy-log"
        self.log_dir.mkdir()
        self.output = tmp / "caddy.out"
        self.env = {**os.environ, "NEZARAT_DOMAIN": self.base, "NEZARAT_UPSTREAM": upstream,
                    "CADDY_LOG_DIR": str(self.log_dir), "CADDY_ADMIN": "off",
                    "XDG_DATA_HOME": str(tmp / "caddy-data"),
                    "XDG_CONFIG_HOME": str(tmp / "caddy-config")}
        self.process: subprocess.Popen | None = None

    def start(self) -> "Caddy":
        with open(self.output, "ab") as out:
            self.process = subprocess.Popen(
                [self.binary, "run", "--config", str(ROOT / "deploy" / "Caddyfile"),
                 "--adapter", "caddyfile"], cwd=ROOT, env=self.env, stdout=out,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("caddy exited:\n" + self.output.read_text()[-3000:])
            try:
                requests.get(f"{self.base}/livez", timeout=5)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("caddy did not answer:\n" + self.output.read_text()[-3000:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def lines(self) -> list[str]:
        """The access log, and Caddy's own output."""
        found = []
        for path in sorted(self.log_dir.glob("*")) + [self.output]:
            found += path.read_text(errors="replace").splitlines()
        return found
