"""Chinese numerals and the LawRefBook layout parser (no reference files needed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecpl.errors import InputError
from ecpl.statutes import lawrefbook
from ecpl.statutes.numerals import article_number, to_chinese, to_int


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十一", 21),
        ("七十六", 76),
        ("一百", 100),
        ("一百零一", 101),
        ("一百一十", 110),
        ("一千零三十八", 1038),
        ("一千一百九十八", 1198),
        ("两千", 2000),
        ("一万零一", 10001),
    ],
)
def test_to_int(text: str, value: int) -> None:
    assert to_int(text) == value


@pytest.mark.parametrize("bad", ["", "十十", "一二", "百", "零零一", "二十一百", "一万万", "abc"])
def test_to_int_rejects_malformed(bad: str) -> None:
    with pytest.raises(ValueError, match="Chinese numeral"):
        to_int(bad)


def test_to_chinese_spellings() -> None:
    assert to_chinese(10) == "十"
    assert to_chinese(19) == "十九"
    assert to_chinese(105) == "一百零五"
    assert to_chinese(1010) == "一千零一十"
    assert to_chinese(1198) == "一千一百九十八"
    with pytest.raises(ValueError):
        to_chinese(0)


@given(st.integers(min_value=1, max_value=9999))
def test_round_trip(number: int) -> None:
    assert to_int(to_chinese(number)) == number


def test_article_number() -> None:
    assert article_number("第一千一百九十八条") == 1198
    assert article_number("第三十八条") == 38
    with pytest.raises(ValueError, match="article heading"):
        article_number("第三十八款")


SAMPLE = """# 中华人民共和国示例法

2020年1月2日 第一次会议通过

2021年3月4日 施行

<!-- INFO END -->

## 第一章 总则

第一条 第一款的文字。

第二款的文字:

（一）甲;

(二)乙。

第三款。

### 第一节 细则

第二条　全角空格后的文字。
"""


def test_parse_layout() -> None:
    document = lawrefbook.parse(SAMPLE, "sample.md")
    assert document.title == "中华人民共和国示例法"
    assert [str(date) for date, _ in document.header] == ["2020-01-02", "2021-03-04"]
    assert sorted(document.articles) == [1, 2]
    first = document.articles[1].paragraphs
    # items join the paragraph before them; ASCII ':' ';' '(' ')' become full-width
    assert first == ["第一款的文字。", "第二款的文字：\n（一）甲；\n（二）乙。", "第三款。"]
    assert document.articles[2].paragraphs == ["全角空格后的文字。"]


def test_parse_rejects_other_layouts() -> None:
    with pytest.raises(InputError, match=r"x\.md.*INFO END"):
        lawrefbook.parse("# 标题\n\n第一条 文字。\n", "x.md")
    with pytest.raises(InputError, match="title"):
        lawrefbook.parse("<!-- INFO END -->\n第一条 文字。\n", "y.md")
    with pytest.raises(InputError, match="article 1 appears twice"):
        lawrefbook.parse("# 标题\n<!-- INFO END -->\n第一条 甲。\n\n第一条 乙。\n", "z.md")
