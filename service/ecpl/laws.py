"""The instruments of the graph by key: their short Chinese and English names.

One table for every place that names a law in text (the editor's law links, the validation
report, the timeline). The Chinese short names are the ``skos:altLabel``\\ s of data/laws
(``rdfs:label`` where a law has no Chinese short name); tests/test_laws.py holds them together.
"""

from __future__ import annotations

# key (as in IRIs: ecpl.iri.law(key)) -> (Chinese short name, English name)
LAW_NAMES: dict[str, tuple[str, str]] = {
    "ecl": ("电子商务法", "E-Commerce Law"),
    "crpl": ("消费者权益保护法", "Consumer Rights Protection Law"),
    "csl": ("网络安全法", "Cybersecurity Law"),
    "cc": ("民法典", "Civil Code"),
    "rprdin": ("信息网络传播权保护条例", "Regulation on the Right of Communication via Networks"),
    "pipl": ("个人信息保护法", "Personal Information Protection Law"),
    "spc-online": (
        "网络消费纠纷司法解释（一）",
        "SPC Interpretation on Online Consumer Disputes (I)",
    ),
    "spc-tort": ("侵权责任编解释（一）", "SPC Interpretation on the Tort Liability Book (I)"),
}


def zh_name(key: str) -> str:
    """The Chinese short name of a law, e.g. ``zh_name("ecl") == "电子商务法"``."""
    return LAW_NAMES[key][0]


def en_name(key: str) -> str:
    """The English name of a law, e.g. ``en_name("cc") == "Civil Code"``."""
    return LAW_NAMES[key][1]
