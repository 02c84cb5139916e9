"""The store behind every query: chosen by ``--store`` / ``ECPL_STORE``.

``memory`` (default): pyoxigraph in memory, loaded from the sources at start. A folder path:
pyoxigraph on disk, loaded once and reused (reloaded when the sources change). An
``http(s)://`` URL: a remote SPARQL 1.1 Query + Update endpoint (Virtuoso tested).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from ecpl.config import Settings
from ecpl.store import loader
from ecpl.store.base import Limits, QueryResult, Store

__all__ = ["Limits", "QueryResult", "Store", "open_store"]

# Bumped when what a loaded on-disk store holds changes (2: the default graph is the merge).
LAYOUT = "2"

log = logging.getLogger(__name__)


def open_store(settings: Settings, *, load: bool = True) -> Store:
    """Open (and, unless ``load`` is False, fill) the store ``settings.store`` names."""
    target = settings.store.strip()
    if target.startswith(("http://", "https://")):
        from ecpl.store.remote import RemoteStore

        remote = RemoteStore(
            target,
            service_allow_list=settings.service_allow_list,
            limits=Limits.from_settings(settings),
        )
        if load:
            remote.load_when_reachable(loader.source_files(settings.root))
        return remote

    from ecpl.store.oxigraph import OxigraphStore

    started = time.monotonic()
    files = loader.source_files(settings.root)
    if target in ("", "memory", ":memory:"):
        store = OxigraphStore(
            None,
            service_allow_list=settings.service_allow_list,
            workers=settings.workers,
            limits=Limits.from_settings(settings),
        )
        if load:
            loader.load_sources(store.raw, files)
            store.rebuild_default()
            store.reinfer()
    else:
        folder = Path(target).expanduser()
        if folder.exists() and not folder.is_dir():
            from ecpl.errors import InputError

            raise InputError(f"--store {target}: not a folder (expected memory, a folder or a URL)")
        folder.mkdir(parents=True, exist_ok=True)
        store = OxigraphStore(
            folder,
            service_allow_list=settings.service_allow_list,
            workers=settings.workers,
            limits=Limits.from_settings(settings),
        )
        digest = f"{loader.fingerprint(files)} layout {LAYOUT}"
        if load and loader.needs_reload(folder, digest):
            loader.load_sources(store.raw, files)
            store.rebuild_default()
            store.reinfer()
            store.raw.flush()
            loader.mark_loaded(folder, digest)
    log.info(
        "store %s ready: %d triples in %.2f s",
        target,
        store.triple_count(),
        time.monotonic() - started,
    )
    return store
