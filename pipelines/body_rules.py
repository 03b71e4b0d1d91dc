"""Line-level boilerplate rules for article bodies: which paragraphs are not article text.

Pure data plus small predicates used by `pipelines/body.py`. A "paragraph" here is one
line of trafilatura's text output (one block element: <p>, <li>, <h2>, a table row).
Reads no settings.
"""

from __future__ import annotations

import re

#: paragraphs of at most this many words are candidates for the keyword rules below;
#: real article paragraphs that merely *mention* "newsletter" or "Anzeige" are longer.
SHORT_LINE_WORDS = 25

# A whole short line that is a teaser/related-links label, share prompt or UI label.
# e.g. "Read more", "Lesen Sie auch:", "Auch interessant", "Advertisement", "Article content"
BOILERPLATE_LABEL = re.compile(
    r"^\W*(?:"
    r"read more|read also|read next|more on this( story| topic)?|related( articles?| stories| content| topics)?"
    r"|recommended( videos?| stories| for you)?|most (read|popular)|you (may|might) also like"
    r"|see also|also read|top stories|trending|watch( now)?|listen( now)?|share( this)?( article| story)?"
    r"|advertisement|sponsored( content)?|article content|story continues below|skip advert|comments?|embed"
    r"|about the authors?|die autorin|der autor|die autoren|über (den|die) autor(in|en)?|zur person"
    r"|link zum \w+-inhalt|ein klick für den datenschutz|ähnliche|verwandte themen"
    r"|lesen sie (auch|mehr|hier)|auch interessant|mehr zum thema|weiterlesen|mehr lesen|das könnte sie"
    r" auch interessieren|empfohlener redaktioneller inhalt|weiterführende links|anzeige|werbung"
    r"|externer inhalt( nicht verfügbar)?|hauptinhalt|zum thema|teilen|artikel teilen|infos zum zitiervorschlag"
    r"|lire aussi|à lire aussi|voir aussi|publicité|lee también|leer más|publicidad|ver también"
    r"|leggi anche|pubblicità|les også|läs också|annons|reklame|czytaj (też|także|więcej)|reklama"
    r"|ayrıca bakınız|ilgili haberler|читайте также|реклама|関連記事|広告|관련기사|광고|相关新闻|广告"
    r")\W*$",
    re.IGNORECASE,
)

# A short line that *starts* with a teaser/plug phrase.
# e.g. "Lesen Sie auch: Annalena Baerbock …", "Read more: Trump's …", "Sign up for our emails",
# "Fehler gefunden? Jetzt melden.", "Get the latest news from … in your inbox."
BOILERPLATE_PREFIX = re.compile(
    r"^\W*(?:"
    r"read more|read also|related|see also|also read|more ?:|watch:|listen:|click here|tap here"
    r"|got a (story|news tip)|[^.!?]{0,80}\? get in touch\b|for more (stories|news|articles) like this|more to follow"
    r"|join (the )?(thought-provoking )?conversations?|enjoying our (latest )?content"
    r"|log ?in or (create|register)|create an account to continue"
    r"|sign up|subscribe|get (the latest|daily|our)|follow (us|\S+ on)|join (us|our)|download (our|the) app"
    r"|you must (confirm|log ?in|sign in)|please log ?(in|out)|funda olunye udaba"
    r"|lesen sie (auch|mehr|hier)|mehr zum thema|auch interessant|mehr dazu|hier geht es|jetzt (abonnieren|testen|melden)"
    r"|fehler gefunden|folgst du schon|folgen sie uns|abonnieren sie|melden sie sich|\d+ (wochen|monate) kostenlos"
    r"|lire aussi|à lire aussi|lee también|leer más|leggi anche|les også|läs också|czytaj (też|także)"
    r"|(additional )?reporting by|editing by|redaktion:|faktencheck:|mitarbeit:|übersetzung:"
    r"|dieses thema im programm|dieser artikel ist zuerst|mit agenturmaterial|with files from|with reporting by"
    r"|(?:quellen?|sources?|kilde|källa|fuente|fonte|źródło):\s*\w|lesedauer|reading time|\d+ min(ute)?s? (read|lesezeit|lesedauer)"
    r")",
    re.IGNORECASE,
)

# Photo credits and copyright lines, anywhere in a short line.
# e.g. "STR/AFP via Getty Images", "Photo: AFP", "© dpa-infocom, dpa:230428-99-483045/5", "Bild: Maximilian von Lachner"
CREDIT_LINE = re.compile(
    r"(?:getty ?images|shutterstock|imago images|picture[- ]alliance|\bvia reuters\b|\bap photo\b"
    r"|^\W*(?:photo|foto|bild|image|picture|credit|fotos?|imagen|immagine)s?\s*(?:credit)?\s*:"
    r"|©|\bcopyright\b|dpa-infocom|alle rechte vorbehalten|all rights reserved)",
    re.IGNORECASE,
)

# Newsletter, donation, app, privacy-consent and affiliate plugs.
# e.g. "Unabhängiger Journalismus braucht deine Unterstützung.", "Deine Privatsphäre-Einstellungen verhindern …",
# "We independently select everything we recommend. Buying through us may earn us a commission"
PLUG_LINE = re.compile(
    r"(?:newsletter|\bin your in-?box\b|browser version with limited support|(in unserem|im) (live|news)-?blog\b"
    r"|einverstanden, dass mir (der )?externe|support (our|independent) journalism|donate|unterstützen sie"
    r"|braucht (deine|ihre) unterstützung|journalismus unterstützen|privatsphäre-einstellungen|cookie"
    r"|externen? inhalt|affiliate|earn (us )?a commission|erhalten wir (eine )?provision|bookmark .+ and sign up"
    r"|\bjetzt (abonnieren|abonnent werden|testen)\b|whatsapp-kanal|news-app|\bpodcast abonnieren\b"
    r"|feedback zu diesem artikel|wie hat ihnen dieser artikel gefallen|durchschnittliche bewertung"
    r"|zitiervorschlag|\(abgerufen am|fehler (gefunden|melden)|melden sie den fehler|verfügbar bis"
    r"|会員限定|有料会員|会員登録|読み放題)",
    re.IGNORECASE,
)

# The signature line of an embedded post that lost its widget markup, or its bare media link.
# e.g. "— The White House (@WhiteHouse) February 11, 2025", "Buses to the station. pic.twitter.com/7IJYBk"
EMBED_LINE = re.compile(
    r"^\W*[—–-]\s*[^()]{1,80}\(@\w{1,30}\)\s*\w+\.? \d{1,2},? \d{4}\W*$|\bpic\.twitter\.com/\w+\W*$",
    re.IGNORECASE,
)

# Lines that are only a date, time, counter or reading time: datelines and widgets.
# e.g. "05.08.2024, 20:59 Uhr", "Freitag, 28.04.2023, 19:25", "30. Januar 2024", "- 3 Minuten Lesezeit", "12 Kommentare"
META_ONLY_LINE = re.compile(
    r"^\W*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|montag|dienstag|mittwoch|donnerstag|freitag"
    r"|samstag|sonntag)?,?\s*"
    r"(?:\d{1,4}[./-]\s?\d{1,2}[./-]\s?\d{2,4}|\d{1,2}\.?\s+\w+\.?\s+\d{4}|\w+\.? \d{1,2},? \d{4})"
    r"(?:,?\s*(?:um\s*)?\d{1,2}[:.]\d{2}(?:\s*(?:uhr|h|am|pm|[A-Z]{2,4}))?)?\W*$"
    r"|^\W*\d+\s*(?:comments?|kommentare?|min(?:ute[ns]?|\.)?\s*(?:lesezeit|read|lesedauer)|shares?)\W*$"
    r"|^\W*(?:aktualisiert|updated|veröffentlicht|published|stand)( am| on)?:?\W*$"
    r"|^\W*(?:aktualisiert|updated|veröffentlicht|published|stand|last updated)( am| on)?:?\s*\d[\d.:/, -]*(uhr)?\W*$"
    # a video/audio widget: "05.09.2024 | 2:03 min", "02:57 Min."
    r"|^[\d.:/ |-]*\d{1,2}:\d{2}\s*min\b\W*$",
    re.IGNORECASE,
)

# A short byline line at the top or bottom: "By Jane Doe", "Von Karim Natour", "Par Jean Dupont".
# Only checked on lines of at most BYLINE_MAX_WORDS words, so "Von Montag an …" sentences survive.
BYLINE_LINE = re.compile(r"^\W*(?:by|von|par|por|di|av|door|af)\s+(?P<rest>.+)$", re.IGNORECASE)
BYLINE_MAX_WORDS = 7

# A heading that opens the page's "more stories" tail; in the last part of a body, nothing
# after it is the article. e.g. "More from The Nation", "Most popular", "Das könnte Sie auch interessieren"
TAIL_MARKER = re.compile(
    r"^\W*(?:more from\b.*|more stories|most (read|popular|viewed)|popular( now| stories)?|trending( now)?"
    r"|related (articles|stories|coverage)|recommended( for you| stories)?|you (may|might) also like"
    r"|weitere artikel|meistgelesen|das könnte sie auch interessieren|mehr aus \w+|ähnliche( artikel)?"
    r"|à lire aussi|les plus lus|lo más leído|más noticias|i più letti|mest lest|mest läst)\W*$",
    re.IGNORECASE,
)
#: a tail marker only cuts when it sits in the last this-share of the paragraphs
TAIL_ZONE = 0.4

#: the tokeniser used to compare paragraphs (same as the corpus scorer: Unicode \w+)
WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Casefolded \\w+ tokens of a paragraph."""
    return WORD.findall(text.casefold())


def is_byline(line: str) -> bool:
    """True for a short "By Jane Doe" / "Von Karim Natour" line (every name word capitalised)."""
    toks = line.split()
    if len(toks) > BYLINE_MAX_WORDS:
        return False
    m = BYLINE_LINE.match(line)
    if not m:
        return False
    names = [
        t
        for t in m.group("rest").split()
        if t.lower() not in {"and", "und", "et", "y", "e", "og", "och"}
    ]
    return bool(names) and all(t[:1].isupper() for t in names)


def is_boilerplate(line: str) -> bool:
    """True when a paragraph is a label, plug, credit, dateline or byline rather than article text."""
    n = len(line.split())
    if n == 0:
        return True
    if BOILERPLATE_LABEL.match(line) or META_ONLY_LINE.match(line) or is_byline(line) or EMBED_LINE.search(line):
        return True
    if n <= SHORT_LINE_WORDS:
        # (a short line PLUG_LINE misses here was searched a second time below: the costliest
        # pattern of all, about half of this function's time)
        return bool(BOILERPLATE_PREFIX.match(line) or CREDIT_LINE.search(line) or PLUG_LINE.search(line))
    # plugs are sometimes long sentences; keep long lines unless they are unmistakable plugs
    return n <= 2 * SHORT_LINE_WORDS and PLUG_LINE.search(line) is not None and _plug_density(line)


def _plug_density(line: str) -> bool:
    """Long lines count as plugs only with two or more plug phrases (one mention is reporting)."""
    return len(PLUG_LINE.findall(line)) >= 2


def cut_tail(paragraphs: list[str]) -> list[str]:
    """Truncate at a "more stories" heading in the last TAIL_ZONE of the body."""
    start = int(len(paragraphs) * (1 - TAIL_ZONE))
    for i in range(max(1, start), len(paragraphs)):
        if TAIL_MARKER.match(paragraphs[i]):
            return paragraphs[:i]
    return paragraphs
