"""Generate the bad-input corpus into a folder: every way a saved page can be broken.

Nothing here is committed as data: ``generate(folder)`` writes the files at test
time (tests/test_badinput.py) and returns what each one must become. Run it by
hand to look at the pages::

    python -m tests.badinput.generate /tmp/badinput

Each case expects either an article (with text it must contain) or exactly one
`failures` row (its stage and words of its plain reason). Where two outcomes are
both right (a page whose only article sits in ``<noscript>``), ``expect`` is
``"either"`` and the checks apply to whichever happened.
"""

from __future__ import annotations

import gzip
import json
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: paragraphs of a plain English article (written for these tests)
EN_PARAGRAPHS = [
    "The regional water board approved a plan on Wednesday to replace the oldest pipes in the valley "
    "over the next six years, after a summer of leaks that left several villages without supply.",
    "Engineers told the board that almost a third of the network was laid before 1960 and that repairs "
    "now cost more each year than a steady programme of replacement would, even with higher prices.",
    "Residents who spoke at the meeting welcomed the plan but asked for a clear timetable, saying that "
    "roadworks in the narrow streets of the old town had to be planned around the school holidays.",
    "The board said it would publish the order of the works in the spring and would write to every "
    "household at least a month before work began in its street, with a number to call for help.",
]
EN_TITLE = "Water board approves six-year plan to replace old pipes"
EN_MARKER = "almost a third of the network was laid before 1960"

JA_TITLE = "市議会、新しい図書館の建設計画を承認"
JA_PARAGRAPHS = [
    "市議会は水曜日、駅前に新しい図書館を建設する計画を賛成多数で承認した。完成は三年後の予定で、"
    "子ども向けの読書室や学習スペースを備える。市は建設費の一部を国の補助金でまかなう方針だ。",
    "現在の図書館は築五十年を超え、雨漏りや設備の老朽化が課題となっていた。利用者からは、"
    "開館時間の延長や駐輪場の拡充を求める声も多く寄せられており、市は設計に反映させるとしている。",
    "市長は記者会見で「誰もが気軽に立ち寄れる場所にしたい」と述べ、地域の商店街とも連携して"
    "にぎわいづくりを進める考えを示した。工事は来年の春に始まる見通しである。",
]
JA_MARKER = "現在の図書館は築五十年を超え"

RU_TITLE = "Городской совет утвердил план ремонта набережной"
RU_PARAGRAPHS = [
    "Городской совет в среду утвердил план ремонта набережной, который продлится два года. Работы начнутся "
    "весной, когда закончится сезон паводков, и будут вестись участками, "
    "чтобы не закрывать весь берег сразу.",
    "По словам инженеров, старые гранитные плиты местами просели, а ограждение требует полной замены. "
    "Жители, пришедшие на заседание, попросили сохранить деревья и установить новые скамейки вдоль реки.",
    "Мэр пообещал, что подробный график работ будет опубликован на сайте города в течение месяца, а "
    "жители смогут задать вопросы на открытых встречах в каждом районе до начала строительства.",
]
RU_MARKER = "старые гранитные плиты местами просели"

ZH_TITLE = "市政府公布老旧小区改造计划"
ZH_PARAGRAPHS = [
    "市政府星期三公布了老旧小区改造计划，预计在未来三年内完成二百多个小区的改造工作。改造内容包括更换供水管道、"
    "加装电梯、整修外墙以及增加停车位，资金由市财政和社会资本共同承担。",
    "负责人介绍说，许多小区建于上世纪八十年代，设施老化问题突出，居民反映最多的是用水不稳定和上下楼不方便。"
    "改造方案将在每个小区公示，充分听取居民意见后再开工。",
    "市长在新闻发布会上表示，改造工作要尽量减少对居民生活的影响，施工期间将设立临时服务点，及时解决居民遇到的困难。",
]
ZH_MARKER = "许多小区建于上世纪八十年代"


@dataclass
class Case:
    """One generated file and what replaying it must give."""

    name: str
    #: "article", "failure" or "either"
    expect: str
    #: for articles: text that must appear in `text`; for failures: words of `reason`
    contains: list[str] = field(default_factory=list)
    stage: str | None = None
    #: extra check on an article row (dict of the row) -> None or a complaint
    check: Callable[[dict[str, object]], str | None] | None = None
    note: str = ""


def page(
    title: str,
    paragraphs: list[str],
    *,
    lang: str = "en",
    head: str = "",
    charset: str | None = "utf-8",
    before: str = "",
    after: str = "",
    byline: str = "",
    date_meta: str = "",
) -> str:
    """A plain, well-formed news article page."""
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{meta}<title>{title} | Valley News</title>'
        f'<meta property="og:type" content="article">{date_meta}{head}</head><body>'
        f'<nav><a href="/">Home</a> <a href="/news">News</a></nav>{before}'
        f"<article><h1>{title}</h1>{byline}\n{body}</article>{after}"
        f"<footer><p>Valley News, Mill Lane</p></footer></body></html>"
    )


def _gzip_bomb(path: Path, expanded: int) -> None:
    """A .html.gz of ``expanded`` bytes of markup, compressed in a stream (small on disk)."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    with path.open("wb") as out:
        out.write(squeeze.compress(b"<html><body><p>"))
        chunk = b"A" * (1 << 20)
        for _ in range(expanded >> 20):
            out.write(squeeze.compress(chunk))
        out.write(squeeze.compress(b"</p></body></html>"))
        out.write(squeeze.flush())


def _no_future(row: dict[str, object]) -> str | None:
    published = row.get("published")
    if published and str(published) > str(row["fetched_at"])[:10] + "T23:59:59":
        return f"published {published} is after the fetch"
    return None


def _zero_date(row: dict[str, object]) -> str | None:
    published = str(row.get("published") or "")
    return f"published {published} from 0000-00-00" if published.startswith("0000") else None


def _short_authors(row: dict[str, object]) -> str | None:
    authors = json.loads(str(row["authors"]))
    bad = [a for a in authors if len(a) > 80 or not a.strip() or a.lower().startswith("by ")]
    return f"unlikely authors {[a[:40] for a in bad]}" if bad else None


def _no_nul(row: dict[str, object]) -> str | None:
    return "NUL in text" if "\x00" in str(row["text"]) + str(row["title"]) else None


def generate(folder: Path) -> list[Case]:
    """Write every bad input (and two good pages) under ``folder``; return the expectations."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def write(name: str, data: bytes | str, case: Case) -> None:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases.append(case)

    good = page(EN_TITLE, EN_PARAGRAPHS)
    write("good/water.html", good, Case("good/water.html", "article", [EN_MARKER]))
    write(
        "good/water-gz.html.gz",
        gzip.compress(page("Pipes plan, compressed copy", EN_PARAGRAPHS).encode()),
        Case("good/water-gz.html.gz", "article", [EN_MARKER]),
    )

    # --- files that are not pages --------------------------------------------------
    write("empty.html", b"", Case("empty.html", "failure", ["empty"], "decode"))
    write("whitespace.html", b" \n\t\r\n  ", Case("whitespace.html", "failure", ["empty"], "decode"))
    write(
        "binary.html",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64,
        Case("binary.html", "failure", ["no HTML markup"], "decode"),
    )
    write("elf.html", b"\x7fELF\x02\x01\x01" + bytes(4000), Case("elf.html", "failure", ["binary"], "decode"))
    whole = gzip.compress(good.encode())
    write(
        "truncated.html.gz",
        whole[: len(whole) // 2],
        Case("truncated.html.gz", "failure", ["truncated"], "decode"),
    )
    write(
        "corrupt.html.gz",
        whole[:10] + bytes(b ^ 0x5A for b in whole[10:200]) + whole[200:],
        Case("corrupt.html.gz", "failure", ["corrupt"], "decode"),
    )
    write(
        "notgzip.html.gz",
        good,
        Case("notgzip.html.gz", "failure", ["gzip"], "decode", note="a plain page named .gz"),
    )
    _gzip_bomb(folder / "bomb.html.gz", 200 << 20)
    cases.append(
        Case(
            "bomb.html.gz",
            "failure",
            ["larger than"],
            "decode",
            note="200 MB once decompressed, 200 kB on disk",
        )
    )
    write(
        "sitemap.html",
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
        'schemas/sitemap/0.9"><url><loc>https://valley.example/a</loc></url></urlset>',
        Case("sitemap.html", "failure", ["sitemap"], "decode"),
    )
    write(
        "feed.html",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
        Case("feed.html", "failure", ["feed"], "decode"),
    )
    write("plain.html", "\n".join(EN_PARAGRAPHS), Case("plain.html", "failure", ["no HTML markup"], "decode"))
    write(
        "sidecar/page.html",
        good,
        Case("sidecar/page.html", "failure", ["sidecar"], "decode", note="its PAGE.json is not JSON"),
    )
    (folder / "sidecar" / "page.json").write_text("{not json", encoding="utf-8")

    # --- bytes that are damaged ------------------------------------------------------
    with_nuls = good.replace("<p>The board", "<p>The\x00 board").replace("Residents", "Resi\x00dents")
    write("nul-bytes.html", with_nuls, Case("nul-bytes.html", "article", [EN_MARKER], check=_no_nul))
    broken = page(EN_TITLE, EN_PARAGRAPHS).encode().replace(b"summer", b"sum\xff\xfemer", 1)
    write("invalid-utf8-few.html", broken, Case("invalid-utf8-few.html", "article", [EN_MARKER]))
    mangled = bytearray(page(EN_TITLE, [p.replace("e", "é") for p in EN_PARAGRAPHS]).encode())
    for i in range(200, len(mangled), 3):
        if mangled[i] >= 0x80:
            mangled[i] ^= 0x40  # break most multi-byte sequences
    write(
        "invalid-utf8-most.html",
        bytes(mangled),
        Case("invalid-utf8-most.html", "failure", ["could not be decoded"], "decode"),
    )
    write(
        "unknown-charset.html",
        page(EN_TITLE, EN_PARAGRAPHS, charset="x-no-such-charset"),
        Case("unknown-charset.html", "article", [EN_MARKER]),
    )
    write(
        "utf16-bom.html",
        b"\xff\xfe" + page(EN_TITLE, EN_PARAGRAPHS, charset=None).encode("utf-16-le"),
        Case("utf16-bom.html", "article", [EN_MARKER]),
    )

    # --- legacy encodings, declared and not --------------------------------------------
    for code, enc, title, paragraphs, marker in (
        ("ja", "shift_jis", JA_TITLE, JA_PARAGRAPHS, JA_MARKER),
        ("ru", "windows-1251", RU_TITLE, RU_PARAGRAPHS, RU_MARKER),
        ("zh", "gb18030", ZH_TITLE, ZH_PARAGRAPHS, ZH_MARKER),
    ):
        for declared in (True, False):
            name = f"legacy/{code}-{enc}-{'declared' if declared else 'undeclared'}.html"
            html = page(title, paragraphs, lang=code, charset=enc if declared else None)
            write(
                name,
                html.encode(enc),
                Case(
                    name,
                    "article" if declared else "either",
                    [marker],
                    "decode",
                    note="undeclared: right text, or a plain decode failure; never mojibake",
                ),
            )

    # --- sizes and shapes ------------------------------------------------------------
    filler = "".join(f'<li><a href="/archive/{i}">Archive entry number {i}</a></li>' for i in range(330_000))
    write(
        "huge-20mb.html",
        page(EN_TITLE, EN_PARAGRAPHS, after=f"<ul>{filler}</ul>"),
        Case("huge-20mb.html", "failure", ["larger than"], "decode"),
    )
    deep = "<div>" * 100_000 + "".join(f"<p>{p}</p>" for p in EN_PARAGRAPHS) + "</div>" * 100_000
    write(
        "nested-100k.html",
        page(EN_TITLE, [], before=deep),
        Case("nested-100k.html", "either", [EN_MARKER, "no article found"], "extract"),
    )
    one_line = page(
        EN_TITLE,
        EN_PARAGRAPHS,
        head='<script type="application/json">{"state":"' + "x" * (5 * 1024 * 1024) + '"}</script>',
    ).replace("\n", " ")
    write("one-line-5mb.html", one_line, Case("one-line-5mb.html", "article", [EN_MARKER]))
    long_para = page(EN_TITLE, [" ".join(EN_PARAGRAPHS * 5000)]).replace("\n", " ")
    write("one-paragraph-5mb.html", long_para, Case("one-paragraph-5mb.html", "article", [EN_MARKER]))
    unclosed = (
        "<html><head><title>"
        + EN_TITLE
        + "</title><meta property=og:type content=article><body><div><article>"
        + "<h1>"
        + EN_TITLE
        + "".join(f"<p><b><i><span>{p}<div>" for p in EN_PARAGRAPHS)
    )
    write("unclosed.html", unclosed, Case("unclosed.html", "either", [EN_MARKER, "no article"], "extract"))
    nav = "".join(f'<li><a href="/section/{i}">Section {i} of the Valley News</a></li>' for i in range(300))
    write(
        "navigation-only.html",
        f"<!DOCTYPE html><html><head><title>Valley News</title></head><body>"
        f"<nav><ul>{nav}</ul></nav><footer>Valley News</footer></body></html>",
        Case("navigation-only.html", "failure", ["no article found"], "extract"),
    )
    noscript = page(
        EN_TITLE,
        [],
        before=f"<noscript>{''.join(f'<p>{p}</p>' for p in EN_PARAGRAPHS)}</noscript>"
        + '<div id="app"></div><script>render()</script>',
    )
    write(
        "noscript.html", noscript, Case("noscript.html", "either", [EN_MARKER, "no article found"], "extract")
    )
    write(
        "frameset.html",
        "<html><frameset><frame src='a.html'><frame src='b.html'></frameset></html>",
        Case("frameset.html", "failure", ["no article found"], "extract"),
    )

    # --- metadata that lies --------------------------------------------------------------
    bad_jsonld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Broken, '
    write(
        "jsonld-invalid.html",
        page(EN_TITLE, EN_PARAGRAPHS, head=bad_jsonld + "</script>"),
        Case("jsonld-invalid.html", "article", [EN_MARKER]),
    )
    weird_jsonld = (
        '<script type="application/ld+json">[1, "x", null, {"@type": ["NewsArticle", 7], '
        '"author": {"name": ["A", 3]}, "datePublished": 20240101, "headline": {"x": 1}}]</script>'
    )
    write(
        "jsonld-odd-types.html",
        page(EN_TITLE, EN_PARAGRAPHS, head=weird_jsonld),
        Case("jsonld-odd-types.html", "article", [EN_MARKER], check=_short_authors),
    )
    write(
        "date-zero.html",
        page(
            EN_TITLE, EN_PARAGRAPHS, date_meta='<meta property="article:published_time" content="0000-00-00">'
        ),
        Case("date-zero.html", "article", [EN_MARKER], check=_zero_date),
    )
    write(
        "date-future.html",
        page(
            EN_TITLE, EN_PARAGRAPHS, date_meta='<meta property="article:published_time" content="2099-01-01">'
        ),
        Case("date-future.html", "article", [EN_MARKER], check=_no_future),
    )
    write(
        "date-garbage.html",
        page(
            EN_TITLE,
            EN_PARAGRAPHS,
            date_meta='<meta property="article:published_time" '
            'content="99999999999999999999-99-99T99:99:99+99:99">',
        ),
        Case("date-garbage.html", "article", [EN_MARKER]),
    )
    byline = '<p class="byline">By ' + ("Jane Quill and John Ledger " * 200)[:5000] + "</p>"
    write(
        "byline-5000.html",
        page(
            EN_TITLE, EN_PARAGRAPHS, byline=byline, head=f'<meta name="author" content="{"Ann Lee " * 700}">'
        ),
        Case("byline-5000.html", "article", [EN_MARKER], check=_short_authors),
    )
    write(
        "title-100k.html",
        page("Headline " * 11_000, EN_PARAGRAPHS),
        Case("title-100k.html", "article", [EN_MARKER]),
    )
    for name, href in (
        ("canonical-bad-ipv6.html", "http://[::1"),
        ("canonical-bad-port.html", "https://valley.example:99999/a"),
    ):
        write(
            name,
            page(EN_TITLE, EN_PARAGRAPHS, head=f'<link rel="canonical" href="{href}">'),
            Case(name, "article", [EN_MARKER]),
        )
    return cases


def main(argv: list[str]) -> int:
    """Write the corpus to the folder given on the command line."""
    if len(argv) != 2:
        print("usage: python -m tests.badinput.generate FOLDER", file=sys.stderr)
        return 2
    for case in generate(Path(argv[1])):
        print(f"{case.expect:8} {case.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
