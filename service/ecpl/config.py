"""Where the project's files live and how the service is configured.

One place for every path and setting: the ontology, shapes and data folders are found in the
installed wheel (``ecpl/_resources``) or, from a checkout or an editable install, at the
repository root. Settings come from flags first, then ``ECPL_*`` environment variables, then
defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ecpl.errors import ConfigError

SOURCE_FOLDERS = ("ontology", "shapes", "data")

_PACKAGE_DIR = Path(__file__).resolve().parent
_RESOURCES = _PACKAGE_DIR / "_resources"
_CHECKOUT = _PACKAGE_DIR.parent.parent  # service/ecpl -> repository root


def project_root() -> Path:
    """The folder holding ontology/, shapes/ and data/ (installed resources or the checkout)."""
    if (_RESOURCES / "ontology").is_dir():
        return _RESOURCES
    return _CHECKOUT


def resource_dir(name: str, root: Path | None = None) -> Path:
    """One of the source folders (``ontology``, ``shapes``, ``data``) under ``root``."""
    if name not in SOURCE_FOLDERS:
        raise ValueError(f"unknown resource folder {name!r}; expected one of {SOURCE_FOLDERS}")
    return (root or project_root()) / name


def var_dir() -> Path:
    """Folder for generated files kept outside git (imported statute text, caches)."""
    configured = os.environ.get("ECPL_VAR_DIR")
    if configured:
        return Path(configured)
    if _CHECKOUT.joinpath("pyproject.toml").is_file():
        return _CHECKOUT / "var"
    return Path.home() / ".local" / "share" / "ecpl"


def statute_text_file() -> Path:
    """The Turtle file ``ecpl import-text`` writes and the store loads when present."""
    return Path(os.environ.get("ECPL_TEXT_FILE") or var_dir() / "statute-text.ttl")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _env_optional_int(name: str) -> int | None:
    raw = os.environ.get(name)
    return None if raw is None or raw.strip() == "" else _env_int(name, 0)


def _env_list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def read_token_file(path: str | Path) -> str:
    """The update token from a file (first line), so it never shows in ``ps`` or the shell
    history as a ``--update-token`` flag does."""
    try:
        token = Path(path).read_text(encoding="utf-8").strip().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the update token file {path}: {exc}") from None
    if not token or not token[0].strip():
        raise ConfigError(f"the update token file {path} is empty")
    return token[0].strip()


def _token_file() -> str | None:
    path = os.environ.get("ECPL_UPDATE_TOKEN_FILE")
    return read_token_file(path) if path else None


@dataclass(frozen=True)
class Settings:
    """Service settings; build with :func:`Settings.from_env` and override per flag."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    # HTTP front processes (``ecpl serve``); None: one per CPU when that is safe (ecpl.web.cli)
    processes: int | None = None
    store: str = "memory"  # "memory", a folder path, or an http(s):// SPARQL endpoint
    update_token: str | None = None
    query_timeout_s: int = 30
    row_limit: int = 10_000
    max_response_bytes: int = 64 * 1024 * 1024  # per query answer; cut at a row, said in a header
    max_term_bytes: int = 16 * 1024 * 1024  # per term in an answer
    query_memory_mb: int = 1024  # per query worker, above its size at start (0: no limit)
    max_upload_bytes: int = 5 * 1024 * 1024
    max_query_bytes: int = 256 * 1024
    max_case_triples: int = 5_000  # a case graph is ~40-500 triples; bounds validation time
    # Each upload is parsed and validated in its own process: wall clock, address space on top
    # of the fork, and how many at once (ecpl.intake).
    validation_timeout_s: int = 30
    validation_memory_mb: int = 1024
    validation_workers: int = 2
    service_allow_list: tuple[str, ...] = ()
    cors_origins: str = "*"
    root: Path = field(default_factory=project_root)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from ``ECPL_*`` variables; keyword arguments that are not None win."""
        env: dict[str, object] = {
            "host": os.environ.get("ECPL_HOST", cls.host),
            "port": _env_int("ECPL_PORT", cls.port),
            "workers": _env_int("ECPL_WORKERS", cls.workers),
            "processes": _env_optional_int("ECPL_PROCESSES"),
            "store": os.environ.get("ECPL_STORE", cls.store),
            "update_token": os.environ.get("ECPL_UPDATE_TOKEN") or _token_file(),
            "query_timeout_s": _env_int("ECPL_QUERY_TIMEOUT", cls.query_timeout_s),
            "row_limit": _env_int("ECPL_ROW_LIMIT", cls.row_limit),
            "max_response_bytes": _env_int("ECPL_MAX_RESPONSE_BYTES", cls.max_response_bytes),
            "max_term_bytes": _env_int("ECPL_MAX_TERM_BYTES", cls.max_term_bytes),
            "query_memory_mb": _env_int("ECPL_QUERY_MEMORY_MB", cls.query_memory_mb),
            "max_upload_bytes": _env_int("ECPL_MAX_UPLOAD_BYTES", cls.max_upload_bytes),
            "max_query_bytes": _env_int("ECPL_MAX_QUERY_BYTES", cls.max_query_bytes),
            "max_case_triples": _env_int("ECPL_MAX_CASE_TRIPLES", cls.max_case_triples),
            "validation_timeout_s": _env_int("ECPL_VALIDATION_TIMEOUT", cls.validation_timeout_s),
            "validation_memory_mb": _env_int("ECPL_VALIDATION_MEMORY_MB", cls.validation_memory_mb),
            "validation_workers": _env_int("ECPL_VALIDATION_WORKERS", cls.validation_workers),
            "service_allow_list": _env_list("ECPL_SERVICE_ALLOW"),
            "cors_origins": os.environ.get("ECPL_CORS_ORIGINS", cls.cors_origins),
        }
        if os.environ.get("ECPL_ROOT"):
            env["root"] = Path(os.environ["ECPL_ROOT"])
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)  # type: ignore[arg-type]
