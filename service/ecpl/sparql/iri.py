"""IRI references resolved by RFC 3986 §5.2, and endpoints split for the SERVICE allow-list."""

from __future__ import annotations

import re
from typing import NamedTuple

# RFC 3986 appendix B
_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


_IRIREF_TEXT = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')


def is_iri_text(ref: str) -> bool:
    """Whether ``ref`` can stand between ``<`` and ``>`` in SPARQL (the IRIREF characters)."""
    return _IRIREF_TEXT.fullmatch(ref) is not None


def is_absolute(ref: str) -> bool:
    """Whether ``ref`` has a scheme (an IRI rather than a relative reference)."""
    return _SCHEME.match(ref) is not None


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4."""
    if "." not in path:
        return path
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith(("./", "/./")):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            cut = path.find("/", 1)
            segment, path = (path, "") if cut < 0 else (path[:cut], path[cut:])
            output.append(segment)
    return "".join(output)


def resolve(ref: str, base: str) -> str:
    """``ref`` resolved against the absolute ``base`` (RFC 3986 §5.2.2, strict).

    An absolute reference is returned as written: SPARQL engines (oxigraph among them) keep
    an absolute IRI's dot segments, and the canonical text must mean what the user wrote.
    """
    if is_absolute(ref):
        return ref
    b = _PARTS.match(base)
    r = _PARTS.match(ref)
    if b is None or r is None:  # unreachable: the pattern matches every string
        raise ValueError(f"cannot split {base!r} or {ref!r} into IRI parts")
    b_scheme, b_auth, b_path, b_query, _ = b.groups()
    _, r_auth, r_path, r_query, r_frag = r.groups()
    if r_auth is not None:
        auth, path, query = r_auth, remove_dot_segments(r_path), r_query
    else:
        auth = b_auth
        if r_path == "":
            path = b_path
            query = r_query if r_query is not None else b_query
        else:
            if r_path.startswith("/"):
                path = remove_dot_segments(r_path)
            else:
                if b_auth is not None and b_path == "":
                    merged = "/" + r_path
                else:
                    merged = b_path[: b_path.rfind("/") + 1] + r_path
                path = remove_dot_segments(merged)
            query = r_query
    out = b_scheme + ":"
    if auth is not None:
        out += "//" + auth
    out += path
    if query is not None:
        out += "?" + query
    if r_frag is not None:
        out += "#" + r_frag
    return out


class Endpoint(NamedTuple):
    """An HTTP(S) endpoint as the allow-list compares it."""

    scheme: str
    host: str
    port: int
    segments: tuple[str, ...]  # path segments after dot-segment removal


_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?|\[[0-9a-f:.]+\]")
_PORTS = {"http": 80, "https": 443}
# Percent-encoded dots, slashes and backslashes: an HTTP client may decode them into path
# structure (WHATWG URL reads %2e as a dot segment), so no prefix can be judged on them.
_ENCODED_STRUCTURE = re.compile(r"%2e|%2f|%5c", re.IGNORECASE)


def endpoint(iri: str) -> Endpoint | None:
    """Scheme, host, port and path segments of an http(s) IRI; None when it cannot be judged.

    Strict on purpose: userinfo (``user@host``), percent-encoding or non-ASCII in the host, a
    non-numeric port and encoded path structure all give None, which the allow-list refuses.
    """
    match = _PARTS.match(iri)
    if match is None:  # pragma: no cover - the pattern matches every string
        return None
    scheme, authority, path, _, _ = match.groups()
    if scheme is None or authority is None:
        return None
    scheme = scheme.lower()
    if scheme not in _PORTS or "@" in authority:
        return None
    host, port_text = authority, ""
    if authority.startswith("["):
        close = authority.find("]")
        host, rest = authority[: close + 1], authority[close + 1 :]
        if close < 0 or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:]
    elif ":" in authority:
        host, port_text = authority.split(":", 1)
    host = host.lower()
    if not _HOST.fullmatch(host) or ".." in host:
        return None
    if (port_text and not port_text.isdigit()) or not port_text.isascii():
        return None
    port = int(port_text) if port_text else _PORTS[scheme]
    if port > 65535 or _ENCODED_STRUCTURE.search(path):
        return None
    segments = tuple(s for s in remove_dot_segments(path).split("/") if s)
    return Endpoint(scheme, host, port, segments)
