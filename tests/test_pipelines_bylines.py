"""Tables for pipelines/bylines.py and pipelines/bylines_rules.py (no network, no corpus)."""

from __future__ import annotations

import time

import pytest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from pipelines import bylines_rules as R
from pipelines.bylines import Byline, BylinesPipeline, choose_authors, parse_byline

SITE = ["The Duran"]


@pytest.mark.parametrize(
    ("raw", "authors", "outlets", "date_text"),
    [
        (
            "By Alexander Mercouris, The Duran, July 25, 2016",
            ["Alexander Mercouris"],
            ["The Duran"],
            "July 25, 2016",
        ),
        ("By The Meridian Post staff", [], ["The Meridian Post"], None),
        ("JOHN SMITH AND JANE VAN DER BERG", ["John Smith", "Jane van der Berg"], [], None),
        ("by alex mcdonald", ["Alex McDonald"], [], None),
        ("By Sarah McDonald", ["Sarah McDonald"], [], None),  # mixed case is left alone
        ("Von Anna Meier und Peter Müller, dpa", ["Anna Meier", "Peter Müller"], ["dpa"], None),
        ("Par Jean Dupont et Marie Curie (AFP)", ["Jean Dupont", "Marie Curie"], ["AFP"], None),
        ("Por Juan Pérez y María López", ["Juan Pérez", "María López"], [], None),
        ("Di Mario Rossi e Luca Bianchi", ["Mario Rossi", "Luca Bianchi"], [], None),
        ("Di Maria", ["Di Maria"], [], None),  # a surname, not the Italian "by"
        ("Door Jan de Vries", ["Jan de Vries"], [], None),
        ("Av Ola Nordmann og Kari Nordmann", ["Ola Nordmann", "Kari Nordmann"], [], None),
        ("Автор: Иван Петров", ["Иван Петров"], [], None),
        ("ИВАН ПЕТРОВ", ["ИВАН ПЕТРОВ"], [], None),  # non-Latin scripts are not re-cased
        ("山田太郎記者", ["山田太郎"], [], None),
        ("홍길동 기자", ["홍길동"], [], None),
        ("Text: Anna Meier", ["Anna Meier"], [], None),
        ("Written by Jane Doe", ["Jane Doe"], [], None),
        ("Reporting by Jane Doe; Editing by John Roe", ["Jane Doe"], [], None),
        ("A. Smith, B. Jones & C. Brown", ["A. Smith", "B. Jones", "C. Brown"], [], None),
        ("Jane Doe | John Roe", ["Jane Doe", "John Roe"], [], None),
        # "and" inside names is not a separator
        ("Alexander Anderson and Sandy Andrews", ["Alexander Anderson", "Sandy Andrews"], [], None),
        ("Andrea Randall", ["Andrea Randall"], [], None),
        ("Jane Doe, Senior Correspondent", ["Jane Doe"], [], None),
        ("Jane Doe Staff Writer", ["Jane Doe"], [], None),
        ("Korrespondentin Anna Meier", ["Anna Meier"], [], None),
        ("Lisa House", ["Lisa House"], [], None),  # a surname that is also a role word
        ("Jane Doe is a senior reporter at Foo.", ["Jane Doe"], [], None),
        ("By Jane Doe | jane@example.com | @janedoe", ["Jane Doe"], [], None),
        ("Jane Doe https://example.com/author/jane-doe", ["Jane Doe"], [], None),
        ("By ALEX MCDONALD Updated 3 hours ago", ["Alex McDonald"], [], None),
        ("Jane Doe, Reuters", ["Jane Doe"], ["Reuters"], None),
        ("AP", [], ["AP"], None),
        ("Associated Press", [], ["Associated Press"], None),
        ("Redaktion hessenschau.de", [], ["Redaktion hessenschau.de"], None),
        ("Fox News", [], ["Fox News"], None),
        ("srf/hosb", [], [], None),  # initials are not person names
        ("Jane Doe and jane doe", ["Jane Doe"], [], None),  # case-insensitive de-duplication
        (
            "By Jane Doe\nWhite House Correspondent\nJuly 25, 2016 at 2:03 pm EDT",
            ["Jane Doe"],
            [],
            "July 25, 2016 at 2:03 pm EDT",
        ),
        (
            "25. Juli 2016 um 14:03 Uhr, von Anna Meier",
            ["Anna Meier"],
            [],
            "25. Juli 2016 um 14:03 Uhr",
        ),
        ("Jane Doe 2016-07-25T10:00:00Z", ["Jane Doe"], [], "2016-07-25T10:00:00Z"),
        ("", [], [], None),
        ("By", [], [], None),
    ],
)
def test_parse_byline(
    raw: str, authors: list[str], outlets: list[str], date_text: str | None
) -> None:
    assert parse_byline(raw, site_names=SITE) == Byline(authors, outlets, date_text)


@pytest.mark.parametrize(
    ("raw", "authors"),
    [
        # Choice: one comma between two single capitalised words is an inverted name ...
        ("Smith, John", ["John Smith"]),
        # ... but not when either side has more words, an agency, or a second comma.
        ("Smith, John Roe", ["John Roe"]),  # a lone word beside a full name is dropped
        ("Smith, Reuters", ["Smith"]),
        ("Smith, Jones, Brown", ["Smith", "Jones", "Brown"]),
    ],
)
def test_parse_byline_comma_names(raw: str, authors: list[str]) -> None:
    assert parse_byline(raw).authors == authors


def test_authors_never_start_with_by_or_are_empty() -> None:
    for raw in ("By By Jane Doe", "BY JANE DOE", "by: Jane Doe", "By  , Jane Doe"):
        authors = parse_byline(raw).authors
        assert authors == ["Jane Doe"], raw
        assert all(a and not a.lower().startswith("by ") for a in authors)


@pytest.mark.parametrize(
    "raw",
    [
        "x" * 5000,
        ("Jane Doe and " * 400),
        ("word " * 1000),
        "By " + "A, " * 2000,
        "a" * 5000 + "\n",
    ],
)
def test_long_bylines_are_fast_and_sane(raw: str) -> None:
    start = time.perf_counter()
    result = parse_byline(raw)
    assert time.perf_counter() - start < 0.5
    assert len(result.authors) <= 20


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("Senior Correspondent", True),
        ("Staff Writer", True),
        ("Chefredakteur", True),
        ("Jane Doe", False),
        ("Lisa House", False),
    ],
)
def test_is_role(segment: str, expected: bool) -> None:
    assert R.is_role(segment) is expected


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("The Duran", True),
        ("Reuters", True),
        ("dpa", True),
        ("ORF.at", True),
        ("Washington Post", True),
        ("Meridian Staff", True),
        ("Jane Doe", False),
        ("Theodore Newsome", False),
        ("Paul Times-Roe", False),
    ],
)
def test_is_outlet(segment: str, expected: bool) -> None:
    assert R.is_outlet(segment, frozenset({"the duran"})) is expected


@pytest.mark.parametrize(
    ("candidates", "authors", "source"),
    [
        # structured wins
        (
            [{"text": "Jane Doe", "source": "jsonld"}, {"text": "By John Roe", "source": "byline"}],
            ["Jane Doe"],
            "jsonld",
        ),
        # a meta author that is only the site name gives way to the byline's person
        (
            [{"text": "The Duran", "source": "meta"}, {"text": "By Jane Doe", "source": "byline"}],
            ["Jane Doe"],
            "byline",
        ),
        # the visible byline picks the structured source it agrees with
        (
            [
                {"text": "John Roe", "source": "jsonld"},
                {"text": "Jane Doe", "source": "meta"},
                {"text": "By Jane Doe", "source": "byline"},
            ],
            ["Jane Doe"],
            "meta",
        ),
        # a byline naming every structured author plus one more completes the list
        (
            [
                {"text": "Jane Doe", "source": "jsonld"},
                {"text": "By Jane Doe and John Roe", "source": "byline"},
            ],
            ["Jane Doe", "John Roe"],
            "byline",
        ),
        # one JSON-LD candidate per name
        (
            [{"text": "Jane Doe", "source": "jsonld"}, {"text": "John Roe", "source": "jsonld"}],
            ["Jane Doe", "John Roe"],
            "jsonld",
        ),
        # author-archive URL only when nothing better exists
        (
            [{"text": "https://site.example/author/jane-doe/", "source": "jsonld"}],
            ["Jane Doe"],
            "url-slug",
        ),
        (
            [
                {"text": "https://site.example/author/jane-doe/", "source": "jsonld"},
                {"text": "Jane Q. Doe", "source": "trafilatura"},
            ],
            ["Jane Q. Doe"],
            "trafilatura",
        ),
        ([{"text": "https://site.example/2016/07/25/story", "source": "meta"}], [], None),
        # two text readings that disagree and nothing to break the tie: no guess
        (
            [
                {"text": "By Jane Doe", "source": "byline"},
                {"text": "John Roe", "source": "trafilatura"},
            ],
            [],
            None,
        ),
        (
            [
                {"text": "By Jane Doe", "source": "byline"},
                {"text": "John Roe", "source": "trafilatura"},
                {"text": "John Roe", "source": "hint"},
            ],
            ["John Roe"],
            "trafilatura",
        ),
        (
            [{"text": "Jane Doe; John Roe", "source": "trafilatura"}],
            ["Jane Doe", "John Roe"],
            "trafilatura",
        ),
        ([{"text": "Jane Doe", "source": "hint"}], ["Jane Doe"], "hint"),
        ([{"text": "Reuters", "source": "jsonld"}, {"text": "AP", "source": "byline"}], [], None),
        ([], [], None),
    ],
)
def test_choose_authors(
    candidates: list[dict[str, str]], authors: list[str], source: str | None
) -> None:
    got, used, _ = choose_authors(candidates, site_names=SITE)
    assert (got, used) == (authors, source)


def test_choose_authors_reports_outlets() -> None:
    cands = [
        {"text": "By Jane Doe, The Duran", "source": "byline"},
        {"text": "Reuters", "source": "meta"},
    ]
    assert choose_authors(cands, site_names=[])[2] == ["The Duran", "Reuters"]


def _item(**kw: object) -> ArticleItem:
    item = ArticleItem(
        fetched_url="https://x.example/a",
        source="x",
        html="",
        fetched_at="2016-07-26T12:00:00+00:00",
    )
    for k, v in kw.items():
        setattr(item, k, v)
    return item


def test_pipeline_writes_fields_stats_and_byline_date() -> None:
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    pipe = build_from_crawler(BylinesPipeline, crawler)
    item = _item(
        signals={
            "byline_candidates": [
                {"text": "The Duran", "source": "meta"},
                {"text": "By Alexander Mercouris, The Duran, July 25, 2016", "source": "byline"},
            ]
        }
    )
    out = pipe.process_item(item)
    assert out.authors == ["Alexander Mercouris"]
    assert out.authors_source == "byline"
    assert out.byline_raw == "By Alexander Mercouris, The Duran, July 25, 2016"
    assert (out.site_name, out.site_name_source) == ("The Duran", "byline")
    assert out.credits == ["The Duran"]  # the outlet credited, kept apart from the people
    assert out.signals["date_candidates"] == [
        {"raw": "July 25, 2016", "source": "byline", "kind": "published"}
    ]
    assert out.stages == ["bylines"]
    assert crawler.stats.get_value("news/bylines/from_byline") == 1


def test_pipeline_none_keeps_extracted_byline_raw_and_uses_hints() -> None:
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    pipe = build_from_crawler(BylinesPipeline, crawler)
    out = pipe.process_item(_item(byline_raw="Staff", site_name="Site"))
    assert (out.authors, out.authors_source, out.byline_raw) == ([], None, "Staff")
    assert out.credits == []
    assert out.site_name == "Site" and out.site_name_source is None
    assert crawler.stats.get_value("news/bylines/none") == 1
    out = pipe.process_item(_item(hints={"authors": ["Jane Doe"]}))
    assert (out.authors, out.authors_source) == (["Jane Doe"], "hint")
    assert crawler.stats.get_value("news/bylines/from_hint") == 1


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Enviado especial", True),
        ("Chcete-li článek poslouchat", True),
        ("Iniciar sesión", True),
        ("Jan van der Berg", False),  # name particles are lower case
        ("Jane Doe", False),
        ("kanu sukha", False),  # all lower case: a name typed in lower case
    ],
)
def test_is_phrase(words: str, expected: bool) -> None:
    assert R.is_phrase(words.split()) is expected


@pytest.mark.parametrize(
    ("raw", "authors"),
    [
        ("Emma Mackenzie; (Image: Getty Images/iStockphoto)", ["Emma Mackenzie"]),
        ("Jane Doe, Photo by John Roe", ["Jane Doe"]),
        ("Anna Meier Foto: dpa", ["Anna Meier"]),
        ("Jane Imagewell", ["Jane Imagewell"]),  # "image" inside a name is no credit
        ("Marta Cañete Corresponsal en Atenas", ["Marta Cañete"]),
    ],
)
def test_credits_and_phrases_are_cut(raw: str, authors: list[str]) -> None:
    assert parse_byline(raw).authors == authors


@pytest.mark.parametrize(
    ("segment", "expected"),
    [("Nachrichtenagentur", True), ("Deutsche Presseagentur", True), ("Anna Agenturski", False)],
)
def test_agency_words_are_outlets(segment: str, expected: bool) -> None:
    assert R.is_outlet(segment, frozenset()) is expected


def _visible(text: str, group: int, leaf: bool = True, after_h1: bool = True) -> dict[str, object]:
    return {"text": text, "source": "byline", "group": group, "leaf": leaf, "after_h1": after_h1}


@pytest.mark.parametrize(
    ("candidates", "authors"),
    [
        # only the first byline block counts, not the related-story bylines below it
        ([_visible("By Jane Doe", 0), _visible("By John Roe", 1), _visible("Mary Major", 2)],
         ["Jane Doe"]),
        # a block before the headline (a teaser) gives way to the one after it
        ([_visible("By John Roe", 0, after_h1=False), _visible("By Jane Doe", 1)], ["Jane Doe"]),
        # inside a block, the innermost elements are read, not the block's glued text
        ([_visible("Von Jane Doe\nKorrespondentin für Politik", 0, leaf=False),
          _visible("Jane Doe", 0), _visible("John Roe", 0)], ["Jane Doe", "John Roe"]),
        # a block with no person falls through to the next
        ([_visible("Follow", 0), _visible("By Jane Doe", 1)], ["Jane Doe"]),
        # a lead line cut from the body comes first
        ([_visible("By John Roe", 0), {"text": "By Jane Doe", "source": "byline"}], ["Jane Doe"]),
        # the article's byline credits only an agency: later blocks are other stories
        ([_visible("dpa", 0), _visible("Von Jane Doe", 1)], []),
        ([_visible("Follow", 0), _visible("dpa", 1), _visible("Von Jane Doe", 2)], []),
        # lone words beside a full name are dropped after the block's names are joined
        ([_visible("Artikel", 0), _visible("Tobias Költzsch", 0)], ["Tobias Költzsch"]),
    ],
)
def test_visible_reading_reads_one_block(candidates: list[dict[str, object]], authors: list[str]) -> None:
    assert choose_authors(candidates, site_names=[])[0] == authors


@pytest.mark.parametrize(
    ("raw", "sites", "authors", "outlets", "editors"),
    [
        # editor and translator credits name editors, to the end of their line
        ("Reporting by Jane Doe; Editing by John Roe and Mary Major", [], ["Jane Doe"], [],
         ["John Roe", "Mary Major"]),
        ("Jane Doe\nRedaktion: John Roe und Mary Major\nSendung: Radio Eins", [], ["Jane Doe"], [],
         ["John Roe", "Mary Major"]),
        ("Editor : Heryadi", [], [], [], ["Heryadi"]),
        ("Translated by Ana Roe", [], [], [], ["Ana Roe"]),
        ("Jane Doe, Chief Editor", [], ["Jane Doe"], [], []),  # a role, no credit label
        # the outlet introducing itself with its own address
        ("Meridian Broadcasting (www.mb.example)", ["mb.example"], [], ["Meridian Broadcasting"], []),
        ("Jane Doe (www.other.example)", ["mb.example"], ["Jane Doe"], [], []),
        # single words after the outlet are a dateline, not people
        ("dpa, Berlin", [], [], ["dpa"], []),
        ("stadtblatt.de, Frankfurt, Germany", [], [], ["stadtblatt.de"], []),
        ("Smith, Reuters", [], ["Smith"], ["Reuters"], []),  # before the outlet: kept
        ("Jane Doe, AP, Washington", [], ["Jane Doe"], ["AP"], []),
        # labels read by the signals stage keep their wording
        ("Autorin/Autor\nJane Doe", [], ["Jane Doe"], [], []),
        ("Von: Bill MCCARTHY\n,\nMarisha GOLDHAMER", [], ["Bill MCCARTHY", "Marisha GOLDHAMER"], [], []),
        ("von Dr. Jane Doe", [], ["Dr. Jane Doe"], [], []),
        # CJK labels, departments and chrome are not names
        ("この記事を書いた人\n渡辺洋介\n東京社会部\nフォロー", [], ["渡辺洋介"], [], []),
    ],
)
def test_parse_byline_credits_and_outlets(
    raw: str, sites: list[str], authors: list[str], outlets: list[str], editors: list[str]
) -> None:
    byline = parse_byline(raw, site_names=sites)
    assert (byline.authors, byline.outlets, byline.editors) == (authors, outlets, editors)


@pytest.mark.parametrize(
    ("candidates", "authors", "source"),
    [
        # a lone word from trafilatura is initials or a place, not a person
        ([{"text": "Amw", "source": "trafilatura"}], [], None),
        ([{"text": "Jane Doe; Amw", "source": "trafilatura"}], ["Jane Doe"], "trafilatura"),
        # trafilatura's merge of the page's fields does not complete a structured list ...
        ([{"text": "Jane Doe", "source": "jsonld"},
          {"text": "Jane Doe; Amin Roe", "source": "trafilatura"}], ["Jane Doe"], "jsonld"),
        # ... the visible byline does
        ([{"text": "Jane Doe", "source": "jsonld"}, _visible("Jane Doe and Amin Roe", 0)],
         ["Jane Doe", "Amin Roe"], "byline"),
        # a name the page labels as its editor is dropped from the structured authors
        ([{"text": "Heryadi", "source": "jsonld"}, _visible("Naufal Zuhdi", 0),
          _visible("Editor : Heryadi", 1)], ["Naufal Zuhdi"], "byline"),
        ([{"text": "Jane Doe; Heryadi", "source": "meta"}, _visible("Editor: Heryadi", 0)],
         ["Jane Doe"], "meta"),
    ],
)
def test_choose_authors_guesses_and_editors(
    candidates: list[dict[str, object]], authors: list[str], source: str | None
) -> None:
    got, used, _ = choose_authors(candidates, site_names=[])
    assert (got, used) == (authors, source)


def test_a_name_another_source_gives_as_the_outlet_is_no_author() -> None:
    cands = [{"text": "Meridian Broadcasting (www.mb.example)", "source": "meta"},
             {"text": "Meridian Broadcasting", "source": "trafilatura"}]
    assert choose_authors(cands, site_names=["mb.example"])[:2] == ([], None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/author/admin/", True),
        ("https://x.example/users/webmaster", True),
        ("https://x.example/autor/redaktion/?page=2", True),
        ("https://x.example/author/jane-doe/", False),
        ("https://x.example/author/admina-roe/", False),
        ("https://x.example/admin/", False),  # not a profile
    ],
)
def test_account_url(url: str, expected: bool) -> None:
    assert bool(R.ACCOUNT_URL_RE.search(url)) is expected


def test_a_cms_account_name_is_no_author_anywhere() -> None:
    cands = [{"text": "Gazette D", "source": "jsonld", "url": "https://x.example/author/admin/"},
             {"text": "Gazette D", "source": "rel-author", "url": "https://x.example/author/admin/"},
             _visible("Gazette D", 0), _visible("by Gazette D | 5 November 2024", 1),
             _visible("JANE DOE", 2)]
    assert choose_authors(cands, site_names=[])[:2] == (["Jane Doe"], "byline")
