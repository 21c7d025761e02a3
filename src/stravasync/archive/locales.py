"""Reading a localized activities.csv (pure): header cells, the language, dates with month names.

Strava writes the export in the language the account is set to: translated column names, month
names in ``Activity Date`` and translated type names. Header cells Strava left untranslated come
as HTML (``<span class="translation_missing" title="...">Total Steps</span>``): their text is
the name. The language is named in the import report.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from stravasync.archive.columns import ENGLISH, TRANSLATIONS

LANGUAGES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese",
    "it": "Italian", "nl": "Dutch",
}  # fmt: skip

# Month names and abbreviations (folded, without the trailing dot) -> (month, languages).
_MONTHS: dict[str, tuple[int, frozenset[str]]] = {}
_MONTH_WORDS = {
    "en": "january jan|february feb|march mar|april apr|may|june jun|july jul|august aug|"
    "september sep sept|october oct|november nov|december dec",
    "de": "januar jan jän|februar feb|märz mär maerz|april apr|mai|juni jun|juli jul|august aug|"
    "september sep sept|oktober okt|november nov|dezember dez",
    "fr": "janvier janv|février févr fevrier fevr|mars|avril avr|mai|juin|juillet juil|"
    "août aout|septembre sept|octobre oct|novembre nov|décembre déc decembre dec",
    "es": "enero ene|febrero feb|marzo mar|abril abr|mayo may|junio jun|julio jul|agosto ago|"
    "septiembre setiembre sep sept|octubre oct|noviembre nov|diciembre dic",
    "pt": "janeiro jan|fevereiro fev|março mar marco|abril abr|maio mai|junho jun|julho jul|"
    "agosto ago|setembro set|outubro out|novembro nov|dezembro dez",
    "it": "gennaio gen|febbraio feb|marzo mar|aprile apr|maggio mag|giugno giu|luglio lug|"
    "agosto ago|settembre set|ottobre ott|novembre nov|dicembre dic",
    "nl": "januari jan|februari feb|maart mrt|april apr|mei|juni jun|juli jul|augustus aug|"
    "september sep sept|oktober okt|november nov|december dec",
}
for _lang, _text in _MONTH_WORDS.items():
    for _number, _names in enumerate(_text.split("|"), start=1):
        for _name in _names.split():
            _old = _MONTHS.get(_name, (_number, frozenset()))
            _MONTHS[_name] = (_number, _old[1] | {_lang})

_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap])?\.?\s*(m\.?)?(?![\w])", re.I)
_TAG = re.compile(r"<[^>]*>")
ISO_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%b %d, %Y, %I:%M:%S %p")


def clean_header(cell: str) -> str:
    """A header cell's text: HTML tags dropped, entities decoded, spaces collapsed."""
    text = html.unescape(_TAG.sub("", cell)) if "<" in cell or "&" in cell else cell
    return " ".join(text.split())


def header_language(header: list[str]) -> tuple[str | None, dict[str, str]]:
    """(language code, {cell: English name}) for the header's known cells.

    English wins when its required columns are there; else the language whose table knows most
    cells. ``None`` when no table knows the required columns (the caller reads by position)."""
    english = set(ENGLISH)
    if "Activity ID" in header and "Activity Date" in header:
        return "en", {h: h for h in header if h in english}
    best: tuple[int, str | None] = (0, None)
    for lang, table in TRANSLATIONS.items():
        hits = sum(1 for h in header if h in table)
        known = {table.get(h) for h in header}
        if "Activity ID" in known and "Activity Date" in known and hits > best[0]:
            best = (hits, lang)
    if best[1] is None:
        return None, {}
    table = TRANSLATIONS[best[1]]
    return best[1], {h: table[h] for h in header if h in table} | {
        h: h for h in header if h in english and h not in table
    }


def date_languages(text: str) -> frozenset[str]:
    """Languages whose month names occur in a date text (empty when it has none)."""
    found: frozenset[str] = frozenset()
    for word in re.findall(r"[^\W\d_]+", text.casefold()):
        if word in _MONTHS:
            langs = _MONTHS[word][1]
            found = langs if not found else (found & langs) or found
    return found


def parse_date(text: str) -> datetime:
    """An ``Activity Date`` in any export language, as UTC (Strava writes them in UTC).

    Accepts month names in the languages above (``1 juil. 2025, 06:30:00``), numeric dates
    day first (``01.07.2025, 06:30:00``) or ISO (``2025-07-01 06:30:00``), 12- or 24-hour."""
    value = " ".join(text.split())
    for fmt in ISO_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    match = _TIME.search(value)
    if match is None:
        raise ValueError(f"unreadable Activity Date {text!r}")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if match[4] and match[5]:
        if not 1 <= hour <= 12:
            raise ValueError(f"unreadable Activity Date {text!r}")
        hour = hour % 12 + (12 if match[4].lower() == "p" else 0)
    rest = (value[: match.start()] + " " + value[match.end() :]).casefold()
    month = None
    for word in re.findall(r"[^\W\d_]+", rest):
        if word in _MONTHS:
            month = _MONTHS[word][0]
            break
    numbers = re.findall(r"\d+", rest)
    year = next((int(n) for n in numbers if len(n) == 4), None)
    small = [int(n) for n in numbers if len(n) <= 2]
    if year is None:
        raise ValueError(f"unreadable Activity Date {text!r}")
    if month is None:
        iso = numbers and len(numbers[0]) == 4
        if len(small) != 2:
            raise ValueError(f"unreadable Activity Date {text!r}")
        month, day = (small[0], small[1]) if iso else (small[1], small[0])
    elif len(small) == 1:
        day = small[0]
    else:
        raise ValueError(f"unreadable Activity Date {text!r}")
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise ValueError(f"unreadable Activity Date {text!r}") from None
