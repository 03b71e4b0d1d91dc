"""Byline heuristics as data: prefixes, separators, roles, agencies, dates.

Only constants and tiny predicates live here; `pipelines/bylines.py` composes
them. Reads no settings. Every pattern has a table test in
`tests/test_pipelines_bylines.py`.
"""

from __future__ import annotations

import re
import unicodedata

# Longer bylines are page text that leaked into a byline selector, not bylines.
MAX_BYLINE_CHARS = 400
# A person's name rarely has more than this many words ("Maria de la Cruz Pérez Gómez").
MAX_NAME_WORDS = 6

# "By Jane Doe", "Written by", "Von Anna Meier", "Par", "Autor: Иван", "Reporting by ..."
PREFIX_RE = re.compile(
    r"^\s*(?:(?:written|reported|reporting|posted|story|text|words|photos?|interview)\s+by"
    r"|by|von|par|por|door|av|af|kirjoittanut|autor(?:in)?|auteur|author|autore|"
    r"автор|text|texte|texto|redakteur(?:in)?|from)\b\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# Italian "Di Mario Rossi" only when two capitalised words follow, so "Di Maria" survives.
DI_PREFIX_RE = re.compile(r"^\s*di\s+(?=\w+\s+\w)", re.IGNORECASE)

# "Graphics by ...", "Fact-checked by ...": a credit, not an author ("Editing by" and the like
# are cut to the end of the line before, by EDITOR_CUT_RE)
EDITOR_CREDIT_RE = re.compile(r"^(?:graphics|fact[- ]checked)\s+by\b", re.I)
# "Editing by John Roe and Mary Major", "Redaktion: A und B", "Editor : Heryadi": an editor
# credit; the names after it, to the end of the line, are editors, not authors
EDITOR_CUT_RE = re.compile(
    r"(?:\b(?:editing|edited|compiled|curated|translated)\s+by\b"
    r"|(?<![^\s;|,(])(?:editors?|redaktion|redaktør|redaksjon|redaktur|penyunting|editora?|"
    r"rédaction|redacción|redazione|bearbeitung|übersetzung(?:\s+und\s+\w+)?|"
    r"translation|责编|责任编辑|編集)\s*[:：])(?P<names>[^\n]*)",
    re.IGNORECASE,
)
# "View all posts by Jane Doe", "Follow", "Share", "Contact Jane Doe on X": page chrome
CHROME_RE = re.compile(
    r"^(?:view\s+all|all\s+posts|more\s+(?:from|by|stories)|read\s+more|contact|follow|share|"
    r"bookmark|subscribe|watch|listen|print|e-?mail|twitter|facebook|linkedin|instagram|x|"
    r"comments?|kommentare?|tips\s+meg|alle\s+artikel|mehr\s+(?:von|zum)|folgen|teilen|today|"
    r"image|photo|foto|video|bild)\b",
    re.IGNORECASE,
)
# "Jane Doe; Photo: Getty Images/Foo", "(Image: Getty)": a photo credit; cut from here on
CREDIT_CUT_RE = re.compile(
    r"[(\[]?\s*\b(?:images?|photos?|photographs?|fotos?|bild(?:er)?|illustrations?|grafik)"
    r"(?:\s+by|\s*:)",
    re.IGNORECASE,
)
# "Chcete-li článek poslouchat", "Enviado especial": a capitalised word then lower-case words
# that are no name particles is a phrase, not a name ("Jan van der Berg" still is one)
LOWER_WORD_RE = re.compile(r"^[^\W\d_]*[a-zß-ÿ]", re.UNICODE)
# "Capital Von Jemima Kelly": a capitalised prefix word inside the text; what precedes is a label
INNER_PREFIX_RE = re.compile(r"^.*?\s(?-i:By|Von|Par|Por|Door)\s+(?=\S)", re.DOTALL)
# "Nieuwsblad Be", "NDR de", "Lrt lt": a domain whose dot an extractor turned into a space
SPACED_DOMAIN_RE = re.compile(
    r"\s(?:com|net|org|de|at|ch|be|lt|nl|is|fr|it|es|se|dk|tr|pl|cz)$", re.IGNORECASE
)
# "Red." / "red": the German abbreviation of Redaktion
REDAKTION_ABBR_RE = re.compile(r"^red\.?$", re.IGNORECASE)
# Characters ignored when comparing a segment to a site name ("Le Monde" ~ "lemonde")
NON_ALNUM_RE = re.compile(r"[\W_]+")
# "Updated 3 hours ago", "Published: July 25", "Aktualisiert am ...": cut from here on.
STAMP_RE = re.compile(
    r"\b(?:updated|published|posted|last\s+modified|modified|aktualisiert|ver[öo]ffentlicht|"
    r"erstellt|stand|mis\s+à\s+jour|publi[ée]|actualizado|publicado|aggiornato|pubblicato|"
    r"opdateret|oppdatert|publisert|uppdaterad|publicerad)\b.*$",
    re.IGNORECASE | re.DOTALL,
)

_MONTHS = (
    r"jan(?:uary|uar|vier|eiro)?|feb(?:ruary|ruar)?|f[ée]vr(?:ier)?|m[aä]r(?:ch|z|s)?|apr(?:il)?|"
    r"avr(?:il)?|may|mai|maio|jun[ei]?|juin|jul[iy]?|juil(?:let)?|aug(?:ust)?|ao[uû]t|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|dez(?:ember)?|"
    r"d[ée]c(?:embre)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|"
    r"octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|"
    r"ottobre|dicembre"
)
_TIME = r"\d{1,2}(?:[:.h]\d{2})?\s*(?:[ap]\.?m\.?|uhr|h)?(?:\s*[A-Z]{2,5}\b)?"
# "July 25, 2016", "25. Juli 2016 um 14:03 Uhr", "2016-07-25T10:00Z", "25.07.2016, 14:03"
DATE_RE = re.compile(
    r"(?:(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?(?:" + _MONTHS + r")\.?,?\s+(?:de\s+)?\d{4}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    r"|\d{4}年\d{1,2}月\d{1,2}日)"
    r"(?:,?\s*(?:at|um|à|a\s+las|alle|kl\.?|-|–|\|)?\s*" + _TIME + r")?",
    re.IGNORECASE,
)
# "14:03", "2:03 pm EDT", "14.03 Uhr" left over once the date is gone
TIME_RE = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|uhr)?(?:\s*[A-Z]{2,5}\b)?", re.I)
# "3 hours ago", "vor 2 Stunden", "il y a 5 minutes"
RELATIVE_RE = re.compile(
    r"(?:vor|il\s+y\s+a|hace)?\s*\d+\s*(?:min(?:ute)?s?|minuten|hours?|hrs?|stunden?|"
    r"heures?|horas?|days?|tagen?|jours?|días?)\b(?:\s+ago)?",
    re.IGNORECASE,
)
# "jane.doe@example.com" (any e-mail address)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "@janedoe", "(@jane_doe)": social handles
HANDLE_RE = re.compile(r"(?<![\w@])@\w+")
# "https://site/author/jane-doe", "www.example.com/x"
URL_RE = re.compile(r"(?:https?://|www\.)[^\s()]+", re.IGNORECASE)
# "/author/jane-doe/", "/autoren/anna-meier": the slug of an author archive URL
AUTHOR_URL_SLUG_RE = re.compile(
    r"/(?:authors?|autor(?:en)?|auteurs?|people|profiles?|staff|journalists?|writers?|"
    r"redaktion|team)/([a-z][a-z0-9-]*[a-z])/?(?:[?#].*)?$",
    re.IGNORECASE,
)

# "/author/admin/", "/users/webmaster": a CMS account's profile; its display name
# ("Site D", "Redaktion Web") is whoever pressed "publish", not the story's author
ACCOUNT_URL_RE = re.compile(
    r"/(?:authors?|autor(?:en)?|users?|members?|profiles?)/(?:admin(?:istrator)?|webmaster|"
    r"webadmin|site-?admin|wpadmin|editor|editors|redaktion|redaction|newsroom|desk|staff|"
    r"team|web|online|user\d*)/?(?:[?#].*)?$",
    re.IGNORECASE,
)
# Separators between people: "A, B & C", "A und B", "A; B", "A | B", "A/dpa", newlines.
# Single-letter conjunctions ("y", "e", "i") match in lower case only, so "E. Smith" survives.
SEPARATOR_RE = re.compile(
    r"\s*(?:[;|,/\n\r\t•·]|&|\+|\((?=[^)]*\))|\)|\s(?:and|und|og|och|en|ja|és|ve|и)\s"
    r"|\s(?-i:y|e|i|et|a|oraz)\s)\s*",
    re.IGNORECASE,
)
# "The Meridian Post staff" -> "The Meridian Post": trailing collective nouns of an outlet
OUTLET_STAFF_RE = re.compile(r"\s+(?:staff|team|desk|redaktion|newsroom)$", re.IGNORECASE)
# "The Duran", "ORF.at", "sportschau.de", "Fox News", "Washington Post", "Redaktion hessenschau"
OUTLET_RE = re.compile(
    r"^the\s|\.(?:com|org|net|de|at|ch|co\.uk|uk|fr|it|es|nl|no|se|dk|ru|info|io)$"
    r"|\b(?:news|post|times|staff|redaktion|newsroom|desk|team|online|zeitung|herald|tribune|"
    r"journal|gazette|magazine|magazin|daily|agency|agentur|press|presse|media|tv|radio|"
    r"nachrichtenagentur|presseagentur|newsagency|"
    r"editorial|editors|redaction|rédaction|redacción|redazione|nachrichten)$"
    r"|^(?:redaktion|rédaction|redacción|redazione|staff|team)\b",
    re.IGNORECASE,
)

# Wire services and agencies, compared case-insensitively to a whole segment.
WIRE_SERVICES: frozenset[str] = frozenset(
    s.casefold()
    for s in (
        "AP",
        "Associated Press",
        "The Associated Press",
        "Reuters",
        "Thomson Reuters",
        "AFP",
        "Agence France-Presse",
        "Agence France Presse",
        "dpa",
        "dpa-AFX",
        "Deutsche Presse-Agentur",
        "EFE",
        "Agencia EFE",
        "ANSA",
        "Bloomberg",
        "PA",
        "PA Media",
        "Press Association",
        "UPI",
        "Xinhua",
        "TASS",
        "ITAR-TASS",
        "Sputnik",
        "RIA Novosti",
        "Interfax",
        "KNA",
        "epd",
        "APA",
        "SDA",
        "Keystone-SDA",
        "ANP",
        "Ritzau",
        "NTB",
        "TT",
        "Kyodo",
        "Kyodo News",
        "Yonhap",
        "Jiji",
        "Jiji Press",
        "CNA",
        "IANS",
        "PTI",
        "ANI",
        "AAP",
        "Belga",
        "ČTK",
        "CTK",
        "PAP",
        "Anadolu",
        "AA",
        "DHA",
        "IHA",
        "MTI",
        "STT",
        "Lusa",
        "Europa Press",
        "SID",
        "AFX",
        "dts",
        "Agenturen",
        "Agencies",
        "Agencias",
        "Agences",
        "Wire",
        "Wire services",
        "CNN",
        "BBC",
        "NPR",
        "WAM",
        "SNA",
        "IRNA",
        "KCNA",
        "Bernama",
        "Antara",
    )
)

# Job titles: a segment made only of these words is a role, not a person.
ROLE_WORDS: frozenset[str] = frozenset(
    w.casefold()
    for w in (
        "senior",
        "chief",
        "staff",
        "deputy",
        "associate",
        "assistant",
        "contributing",
        "managing",
        "executive",
        "political",
        "political",
        "foreign",
        "national",
        "international",
        "business",
        "economics",
        "science",
        "health",
        "sports",
        "sport",
        "technology",
        "tech",
        "culture",
        "investigative",
        "special",
        "white",
        "house",
        "washington",
        "europe",
        "europa",
        "us",
        "correspondent",
        "correspondents",
        "writer",
        "reporter",
        "reporters",
        "editor",
        "editors",
        "columnist",
        "contributor",
        "journalist",
        "journalists",
        "analyst",
        "producer",
        "author",
        "photographer",
        "intern",
        "fellow",
        "anchor",
        "host",
        "critic",
        "bureau",
        "at",
        "large",
        "in",
        "of",
        "for",
        "the",
        "and",
        "news",
        "desk",
        "online",
        "digital",
        "freelance",
        "chefredakteur",
        "chefredakteurin",
        "korrespondent",
        "korrespondentin",
        "redakteur",
        "redakteurin",
        "reporterin",
        "autorin",
        "journalistin",
        "volontär",
        "volontärin",
        "ressortleiter",
        "ressortleiterin",
        "leiter",
        "leiterin",
        "freier",
        "freie",
        "mitarbeiter",
        "mitarbeiterin",
        "chef",
        "chefin",
        "vom",
        "dienst",
        "rédacteur",
        "rédactrice",
        "envoyé",
        "envoyée",
        "spéciale",
        "spécial",
        "correspondant",
        "correspondante",
        "journaliste",
        "periodista",
        "corresponsal",
        "redactor",
        "redactora",
        "giornalista",
        "inviato",
        "inviata",
        "corrispondente",
        "journalist",
        "redaktør",
        "journalisti",
        "toimittaja",
        "記者",
        "特派員",
        "編集委員",
        "论说委员",
        "기자",
        "특파원",
        "корреспондент",
        "журналист",
        "редактор",
        "обозреватель",
    )
)
# "山田太郎記者", "홍길동기자": CJK role suffix glued to the name
CJK_ROLE_SUFFIX_RE = re.compile(r"(?:記者|特派員|編集委員|委員|기자|특파원)$")
# Not a CJK name: hiragana ("この記事を書いた人", "write-up by"), a department ("東京社会部"),
# or page chrome ("フォロー", follow)
CJK_NOT_NAME_RE = re.compile(r"[\u3040-\u309f]|(?:部|局|課|班|室|センター)$|^(?:フォロー|シェア|ツイート)$")
# "Deutsche Welle (www.dw.com)": a name followed by a web address in parentheses
PAREN_DOMAIN_RE = re.compile(
    r"^(?P<name>[^()]+?)\s*\(\s*(?:https?://)?(?:www\d*\.)?(?P<domain>[\w-]+(?:\.[\w-]+)+)/?\s*\)\s*$",
    re.IGNORECASE,
)
# "Jane Doe is a senior reporter at ...", "Anna Meier ist Redakteurin": cut the description
IS_A_RE = re.compile(
    r"\s+(?:is|was|ist|war|est|es|è)\s+(?:a|an|the|our|ein|eine|un|une|una|uno|la|le|el|il)\b.*$",
    re.IGNORECASE | re.DOTALL,
)
# Name particles that stay lower case when an ALL-CAPS name is title-cased ("van der Berg").
NAME_PARTICLES: frozenset[str] = frozenset(
    (
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "du",
        "la",
        "le",
        "ter",
        "ten",
        "zu",
        "zum",
        "y",
        "bin",
        "ibn",
        "al",
        "el",
        "af",
    )
)
# "MCDONALD" -> "McDonald", "MACINTYRE" is left as "Macintyre" (too ambiguous)
MC_RE = re.compile(r"\bMc([a-z])")
# A name token: letters, optional apostrophes/hyphens/periods ("O'Brien", "Jean-Luc", "J.")
NAME_TOKEN_RE = re.compile(r"^[^\W\d_][^\W\d_'’.\-]*(?:['’.\-][^\W\d_]*)*\.?$")


def is_latin(text: str) -> bool:
    """True when every letter of `text` is Latin script ("Jane Doe", not "Иван", not "山田")."""
    return all("LATIN" in unicodedata.name(ch, "") for ch in text if ch.isalpha())


def is_role(segment: str) -> bool:
    """True for "Senior Correspondent", "Staff Writer", "Chefredakteur"; False for "Jane Doe"."""
    words = segment.replace(".", " ").split()
    return bool(words) and all(w.casefold() in ROLE_WORDS for w in words)


def squash(text: str) -> str:
    """ "Le Monde.fr" -> "lemondefr": the form site names are compared in."""
    return NON_ALNUM_RE.sub("", text.casefold())


def is_outlet(segment: str, site_names: frozenset[str]) -> bool:
    """True for agencies, the site's own names and outlet-looking segments ("The Duran").

    `site_names` holds `squash`ed names ("theduran", "lemonde", "lemondefr").
    """
    folded = segment.casefold()
    if folded in WIRE_SERVICES or REDAKTION_ABBR_RE.match(segment):
        return True
    squashed, first = squash(segment), squash(segment.split()[0]) if segment.split() else ""
    bare_sites = site_names | {s.removeprefix("the") for s in site_names}
    # "MDR Thüringen", "Guardian staff reporter": the outlet's name opens the segment
    if squashed in bare_sites or squashed.removeprefix("the") in bare_sites or first in bare_sites:
        return True
    return bool(OUTLET_RE.search(segment) or SPACED_DOMAIN_RE.search(segment))


def is_phrase(words: list[str]) -> bool:
    """True for "Enviado especial", "Iniciar sesión"; False for "Jan van der Berg", "Jane Doe".

    Latin words only: a lower-case word that is not a name particle, in a segment that
    also has a capitalised word, makes it a phrase. All-lower segments ("kanu sukha")
    are left to the caller (they are names typed in lower case).
    """
    latin = [w for w in words if is_latin(w) and w[:1].isalpha()]
    lower = [w for w in latin if w[:1].islower() and w.casefold() not in NAME_PARTICLES]
    return bool(lower) and any(w[:1].isupper() for w in latin)
