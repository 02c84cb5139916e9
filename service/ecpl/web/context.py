"""Per-app access to the settings and the store, for blueprints (no module-level globals)."""

from __future__ import annotations

from flask import current_app

from ecpl.config import Settings
from ecpl.store.base import Store

SETTINGS_KEY = "ecpl.settings"
STORE_KEY = "ecpl.store"


def get_settings() -> Settings:
    """The running app's settings."""
    settings: Settings = current_app.extensions[SETTINGS_KEY]
    return settings


def get_store() -> Store:
    """The running app's store (opened once per process by the app factory)."""
    store: Store = current_app.extensions[STORE_KEY]
    return store
