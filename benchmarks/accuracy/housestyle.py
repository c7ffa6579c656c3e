"""House-style edits an outlet makes when it rewrites wire copy: small pure ``str -> str`` steps.

Each step changes a few words and keeps the paragraph recognisable, like the seed pair in
``../shared/seeds/`` ("U.S." vs "US", "Aug. 16" vs "16 August", "-ization" vs "-isation").
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "STEPS",
    "british_spelling",
    "day_month_dates",
    "according_to_reuters",
    "reuters_dateline",
    "told_reporters",
    "us_abbreviations",
    "worded_numbers",
]

_MONTHS = {
    "Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "Aug": "August",
    "Sep": "September", "Sept": "September", "Oct": "October", "Nov": "November", "Dec": "December",
    "January": "January", "February": "February", "March": "March", "April": "April", "May": "May",
    "June": "June", "July": "July", "August": "August", "September": "September",
    "October": "October", "November": "November", "December": "December",
}
_DATE = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.? (\d{1,2})\b(?![,.]?\d)")
_IZE = re.compile(r"\b([A-Za-z]{3,})iz(e|es|ed|ing|ation|ations|er|ers)\b")
_IZE_KEEP = {"s", "se", "pr", "caps", "ma", "bapt"}
_UNITS = {"mln": "million", "bln": "billion", "dlrs": "dollars", "pct": "per cent", "stg": "sterling"}
_UNIT = re.compile(r"\b(" + "|".join(_UNITS) + r")\b")


def us_abbreviations(text: str) -> str:
    """Drop the points from U.S., U.K. and U.N.

    >>> us_abbreviations("U.S.-South Korean drills, the U.N. said")
    'US-South Korean drills, the UN said'
    """
    return re.sub(r"\bU\.([SKN])\.", r"U\1", text)


def day_month_dates(text: str) -> str:
    """Write "Aug. 16" or "Feb 26" as "16 August" / "26 February".

    >>> day_month_dates("on Aug. 16 and Feb 26, 1987")
    'on 16 August and 26 February, 1987'
    """
    return _DATE.sub(lambda m: f"{m.group(2)} {_MONTHS[m.group(1)]}", text)


def british_spelling(text: str) -> str:
    """-ize to -ise (privatization, recognized), leaving size, prize and seize alone.

    >>> british_spelling("privatization was recognized despite its size")
    'privatisation was recognised despite its size'
    """
    def swap(m: re.Match) -> str:
        stem = m.group(1)
        return m.group(0) if stem.lower() in _IZE_KEEP else f"{stem}is{m.group(2)}"

    return _IZE.sub(swap, text)


def told_reporters(text: str) -> str:
    """The first "said" becomes "told reporters".

    >>> told_reporters("Smith said prices rose, he said.")
    'Smith told reporters prices rose, he said.'
    """
    return re.sub(r"\bsaid\b", "told reporters", text, count=1)


def worded_numbers(text: str) -> str:
    """Spell out wire abbreviations: mln, bln, dlrs, pct, stg.

    >>> worded_numbers("5.93 mln bags, up 2.5 pct")
    '5.93 million bags, up 2.5 per cent'
    """
    return _UNIT.sub(lambda m: _UNITS[m.group(1)], text)


def reuters_dateline(text: str) -> str:
    """Attribute by a dateline prefix.

    >>> reuters_dateline("Prices rose.")
    '(Reuters) - Prices rose.'
    """
    return f"(Reuters) - {text}"


def according_to_reuters(text: str) -> str:
    """Attribute inside the first sentence.

    >>> according_to_reuters("Prices rose. Then they fell.")
    'Prices rose, according to Reuters. Then they fell.'
    """
    return re.sub(r"\.(\s|$)", r", according to Reuters.\1", text, count=1)


STEPS: dict[str, Callable[[str], str]] = {
    "us_abbreviations": us_abbreviations,
    "day_month_dates": day_month_dates,
    "british_spelling": british_spelling,
    "told_reporters": told_reporters,
    "worded_numbers": worded_numbers,
}
