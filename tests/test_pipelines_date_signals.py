"""Tables for pipelines/date_signals.py: where a page states its dates (offline, no corpus)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from pipelines.date_signals import (
    _subtree_pieces,
    _subtree_pieces_backwards,
    date_candidates,
    dateline,
    url_date,
    visible_dates,
)


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://gazette.example/2016/07/25/harbour-wall", "2016-07-25"),
        ("https://gazette.example/2016-07-25/harbour-wall", "2016-07-25"),
        ("https://gazette.example/news/20160725/harbour-wall", "2016-07-25"),  # compact
        ("https://gazette.example/2016/7/5/harbour-wall", "2016-07-05"),
        ("https://gazette.example/news/20161399/harbour-wall", None),  # no month 13
        ("https://gazette.example/story/3000000218734", None),  # an id, not a date
        ("https://gazette.example/a?from=2016/07/25/", None),  # the query is not the path
    ],
)
def test_url_date(url: str, day: str | None) -> None:
    assert url_date(url) == day


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("Dienstag, 29. Januar 2019", ["29. Januar 2019"]),
        ("News24 13 Jan 2020, 22:11 GMT+10 Exhausted firefighters", ["13 Jan 2020, 22:11 GMT+10"]),
        ("January 18, 2020 | PARIS (Reuters)", ["January 18, 2020"]),
        ("13 de enero de 2020", ["13 de enero de 2020"]),
        ("von Marianne1 am 20.09.2020", ["20.09.2020"]),
        ("21.01.2022 - 13:30", ["21.01.2022 - 13:30"]),
        ("2020年07月12日", ["2020年07月12日"]),
        ("2020. 3. 4. 14:05", ["2020. 3. 4. 14:05"]),
        ("Winners (2020/7/11-12) announced", []),  # a range is no one day
        ("Posted 5 hours ago", []),  # relative: nothing to read without a clock
        ("in 2019 and 2020", []),  # years alone
    ],
)
def test_visible_dates(text: str, dates: list[str]) -> None:
    assert visible_dates(text) == dates


def _tree(body: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(f"<html><body>{body}</body></html>")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # the date printed under the headline first, then the site header's "today"
        ('<header><span class="today">Tue, 14 Jan 2020</span></header><p>Valley News</p>'
         '<main><h1>Harbour wall repaired after storm</h1><p class="meta">13 Jan 2020, 22:11</p>'
         "<p>The wall was repaired.</p></main>", ["13 Jan 2020, 22:11", "14 Jan 2020"]),
        # a date printed just above the headline counts; the nearest one wins
        ('<div class="kicker">Samstag, 19. Juli 2014</div><h2>Landesparteitag 2014</h2>'
         "<p>Liebe Freunde, am 28. September 2014 feiern wir.</p>", ["19. Juli 2014", "28. September 2014"]),
        # a dateline that opens the first paragraph
        ("<h1>Trauern digital am Ewigkeitssonntag</h1><p>Karlsruhe, (12.11.2021). Traditionell gedenken "
         "Christen ihrer Verstorbenen, am Ewigkeitssonntag, dem 21. November 2021.</p>", ["12.11.2021"]),
        # a date deep inside a sentence is not the article's
        ("<h1>Oil price falls to an eighteen-year low</h1><p>The barrel closed at its lowest price since "
         "6 March 2002, traders said on Tuesday.</p>", []),
        # nor a photo caption's, nor a comment's
        ("<h1>Protesters gather at the theatre</h1><figure><figcaption>FILE PHOTO: the president, "
         "January 16, 2020.</figcaption></figure><p>January 18, 2020</p>", ["January 18, 2020"]),
        ('<h1>Tomatoes cut the right way</h1><div class="comments"><p>22.09.2020</p></div>', []),
        # a logo <h1> of one word is not the headline; at equal distance, below beats above
        ("<h1>Gazette</h1><p>5.5.2020</p><h2>Harbour wall repaired</h2><p>13.01.2020</p>",
         ["13.01.2020", "5.5.2020"]),
        ("<p>no headline at all, 13.01.2020</p>", []),
    ],
)
def test_dateline(body: str, expected: list[str]) -> None:
    assert dateline(_tree(body)) == expected


def test_date_candidates_skip_comments_and_embeds() -> None:
    tree = _tree(
        '<h1>Influencer marketing after the ruling</h1><p>29.01.2019</p>'
        '<blockquote class="instagram-media"><time datetime="2018-03-12T19:30:12+00:00">Mar 12</time>'
        '</blockquote><div id="comments"><time datetime="2020-09-23T18:19:06+02:00">23.09.20</time></div>'
        '<footer><time class="updated" datetime="2019-01-30T08:00:00+01:00">30.01.2019</time></footer>')
    found = date_candidates(tree, {"datePublished": "2019-01-29T10:00:00+01:00"},
                            {"article:published_time": ["2019-01-29T10:00:00+01:00"]},
                            "https://gazette.example/2019/01/29/influencer")
    assert [(c["source"], c["kind"], c["raw"]) for c in found] == [
        ("jsonld", "published", "2019-01-29T10:00:00+01:00"),
        ("meta", "published", "2019-01-29T10:00:00+01:00"),
        ("dateline", "published", "29.01.2019"),
        ("dateline", "published", "30.01.2019"),
        ("url", "published", "2019-01-29"),
        ("time", "modified", "2019-01-30T08:00:00+01:00"),
    ]


@pytest.mark.parametrize(
    "body",
    ["<div>a<p>b<b>c</b>d</p>e<span>f<i>g</i></span>h</div>",
     "<header><nav><a>Home</a> | <a>News</a></nav><p>Monday, 13.01.2020</p></header>",
     "<div><p></p> <p>  </p>x</div>"],
)
def test_subtree_pieces_backwards(body: str) -> None:
    root = _tree(body).find(".//body")[0]
    assert list(_subtree_pieces_backwards(root)) == list(reversed(list(_subtree_pieces(root))))
