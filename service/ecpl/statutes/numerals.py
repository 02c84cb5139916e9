"""Chinese numerals as used in statute citations (第一千一百九十八条 ↔ 1198).

Article, paragraph and item numbers in Chinese legal texts are written in Chinese numerals;
the importer reads them and the generated labels write them. Only the positional forms that
statutes use are accepted (digits 〇/零 to 九 with 十, 百, 千, 万), so a typo is an error
rather than a wrong number.
"""

from __future__ import annotations

import re

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_WRITE_DIGITS = "零一二三四五六七八九"
_ARTICLE = re.compile(r"^第([〇零一二两三四五六七八九十百千万]+)条$")


def to_int(text: str) -> int:
    """The value of a Chinese numeral (``"一千一百九十八"`` → 1198); ValueError if malformed."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS and ch != "万" for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if "万" in text:
        high, _, low = text.partition("万")
        if "万" in low:
            raise ValueError(f"not a Chinese numeral: {text!r}")
        return (to_int(high) if high else 1) * 10_000 + (to_int(low) if low else 0)
    total, digit, last_unit = 0, None, 10_000
    for ch in text:
        if ch in _DIGITS:
            if digit not in (None, 0) or (digit == 0 and _DIGITS[ch] == 0):
                raise ValueError(f"not a Chinese numeral: {text!r}")
            digit = _DIGITS[ch]
        else:
            unit = _UNITS[ch]
            if unit >= last_unit or digit == 0:
                raise ValueError(f"not a Chinese numeral: {text!r}")
            if digit is None:  # 十 alone at the start means 一十 (十二 = 12)
                if total or text[0] != ch or unit != 10:
                    raise ValueError(f"not a Chinese numeral: {text!r}")
                digit = 1
            total += digit * unit
            digit, last_unit = None, unit
    if digit:
        total += digit
    if total == 0 and text not in ("零", "〇"):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    return total


def to_chinese(number: int) -> str:
    """The statute spelling of a positive integer below 10 000 (1198 → ``"一千一百九十八"``)."""
    if not 0 < number < 10_000:
        raise ValueError(f"can only write 1..9999 in Chinese numerals, got {number}")
    parts: list[str] = []
    pending_zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(_WRITE_DIGITS[digit] + name)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def article_number(heading: str) -> int:
    """The number of an article heading ``第十三条`` (ValueError if it is not one)."""
    match = _ARTICLE.match(heading.strip())
    if not match:
        raise ValueError(f"not an article heading: {heading!r}")
    return to_int(match.group(1))
