"""Text measures for server-side SVG: SVG text does not wrap, so lines are cut here.

Widths are estimates for the page's sans-serif at 12 px (a CJK character ~12 px, a Latin
character ~6.6 px), erring wide so text stays inside its box.
"""

from __future__ import annotations

import unicodedata

FONT_PX = 12.0


def text_width(text: str, font_px: float = FONT_PX) -> float:
    """Estimated rendered width of ``text`` in px."""
    width = 0.0
    for char in text:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        width += font_px * (1.0 if wide else 0.56)
    return width


def wrap(text: str, max_px: float, font_px: float = FONT_PX, max_lines: int = 4) -> list[str]:
    """``text`` in lines no wider than ``max_px``: break at spaces for Latin text, anywhere for
    CJK; the last line ends in an ellipsis when the text is longer than ``max_lines`` lines."""
    words = _tokens(text)
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = current + word
        if current and text_width(candidate.rstrip(), font_px) > max_px:
            lines.append(current.rstrip())
            current = word.lstrip()
        else:
            current = candidate
        while text_width(current, font_px) > max_px and len(current) > 1:  # one long word
            cut = _fit(current, max_px, font_px)
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", font_px) > max_px:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines or [""]


def _tokens(text: str) -> list[str]:
    """Latin words with their following space; every CJK character on its own."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
            if char == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    return tokens


def _fit(text: str, max_px: float, font_px: float) -> int:
    for cut in range(len(text), 0, -1):
        if text_width(text[:cut], font_px) <= max_px:
            return max(cut, 1)
    return 1
