"""Scratch PostgreSQL clusters for the ops tests, from a template: initdb and CREATE EXTENSION
postgis cost more than a second of CPU each time, and every such cluster starts the same (a
`nezarat` database with PostGIS and pg_trgm, nothing else). The template's data folder is made
once, kept in a private temp folder keyed by the PostgreSQL and PostGIS builds and the cluster's
user, and copied for each cluster; the copy is a cluster of its own (own folder, socket, port and
settings), started as ScratchCluster starts any other."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from server.ops.cluster import BINDIR, PG_VERSION, ScratchCluster
from tests.cache import kept


def _key(run_as: str | None) -> str:
    inputs = [PG_VERSION, run_as or "", str(os.getuid()),
              subprocess.run([BINDIR / "postgres", "--version"], capture_output=True,
                             text=True).stdout]
    extensions = Path(f"/usr/share/postgresql/{PG_VERSION}/extension")
    for name in ("postgis.control", "pg_trgm.control"):
        found = extensions / name
        inputs.append(found.read_text() if found.exists() else "-")
    return hashlib.sha256("\0".join(inputs).encode()).hexdigest()[:24]


def _make(root: Path, run_as: str | None, settings: dict | None = None) -> ScratchCluster:
    cluster = ScratchCluster(root, run_as=run_as, settings=settings)
    try:
        cluster.initdb()
        cluster.start()
        cluster.psql("CREATE DATABASE nezarat")
        cluster.psql("CREATE EXTENSION postgis; CREATE EXTENSION pg_trgm;", db="nezarat")
    except BaseException:
        cluster.destroy()
        raise
    return cluster


def _template(run_as: str | None) -> Path | None:
    """The template's data folder (cleanly stopped), made if missing; None without a cache."""
    def make(folder: Path) -> None:
        # made outside the private folder, which the cluster's user cannot enter, then moved in
        work = Path(tempfile.mkdtemp(prefix="nezarat-pg-template-"))
        try:
            _make(work, run_as).stop("fast")
            (work / "data").rename(folder / "data")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    done = kept(f"pg-template-{_key(run_as)}", make)
    return done / "data" if done else None


def cluster_with_postgis(root: Path, *, run_as: str | None,
                         settings: dict | None = None) -> ScratchCluster:
    """A started scratch cluster in `root` with a `nezarat` database holding PostGIS and
    pg_trgm."""
    template = _template(run_as)
    if template is None:
        return _make(root, run_as, settings)
    cluster = ScratchCluster(root, run_as=run_as, settings=settings)
    try:
        cluster.prepare()
        subprocess.run(["cp", "-a", str(template), str(cluster.data)], check=True)
        cluster.start()
    except BaseException:
        cluster.destroy()
        raise
    return cluster
