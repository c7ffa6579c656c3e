"""Loaders for the labelled corpora in ``../shared/data`` (read-only; never copied).

- :func:`load_pan13`: PAN 2013 text-alignment training corpus, one category folder at a time.
- :func:`load_clough`: Clough & Stevenson's corpus of plagiarised short answers.
- :func:`load_reuters`: Reuters-21578 bodies, and :func:`identical_body_groups` over them.
"""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .gold import Alignment, PairCorpus

__all__ = [
    "PAN13_CATEGORIES",
    "identical_body_groups",
    "load_clough",
    "load_pan13",
    "load_reuters",
    "pan13_pair_ids",
    "read_text",
]

PAN13_CATEGORIES = {
    "01": "01-no-plagiarism",
    "02": "02-no-obfuscation",
    "03": "03-random-obfuscation",
    "04": "04-translation-obfuscation",
    "05": "05-summary-obfuscation",
}


def read_text(path: Path, encodings: tuple[str, ...] = ("utf-8",)) -> str:
    """Decode ``path`` with the first encoding that works, keeping line endings as they are.

    Reading bytes (not text mode) matters: text mode turns ``\\r\\n`` into ``\\n`` and would
    shift every character offset after it.
    """
    data = path.read_bytes()
    for encoding in encodings[:-1]:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode(encodings[-1])


def _stem(name: str) -> str:
    return name.removesuffix(".txt")


def _pan_cases(xml_path: Path, susp: str, src: str) -> list[Alignment]:
    """The ``plagiarism`` features of one PAN truth file, as alignments."""
    cases = []
    for node in ET.parse(xml_path).getroot():
        if node.get("name") != "plagiarism" or node.get("source_offset") is None:
            continue
        this_off, src_off = int(node.get("this_offset")), int(node.get("source_offset"))
        this_len, src_len = int(node.get("this_length")), int(node.get("source_length"))
        cases.append(Alignment(susp, this_off, this_off + this_len, src, src_off, src_off + src_len))
    return cases


def load_pan13(root: Path, category: str, *, pairs: set[tuple[str, str]] | None = None) -> PairCorpus:
    """One PAN 2013 category (``"01"`` .. ``"05"``), optionally restricted to some pairs.

    Document ids are the file names without ``.txt``; pairs are (suspicious, source).
    """
    folder = root / PAN13_CATEGORIES[category]
    chosen = [p for p in pan13_pair_ids(root, category) if pairs is None or p in pairs]
    cases = [case for susp, src in chosen for case in _pan_cases(folder / f"{susp}-{src}.xml", susp, src)]
    documents = {}
    for susp, src in chosen:
        documents.setdefault(susp, read_text(root / "susp" / f"{susp}.txt"))
        documents.setdefault(src, read_text(root / "src" / f"{src}.txt"))
    return PairCorpus(name=f"pan13/{category}", documents=documents, pairs=tuple(chosen), cases=tuple(cases))


def pan13_pair_ids(root: Path, category: str) -> list[tuple[str, str]]:
    """The (suspicious, source) ids listed in one category's ``pairs`` file."""
    text = (root / PAN13_CATEGORIES[category] / "pairs").read_text()
    return [tuple(map(_stem, line.split())) for line in text.splitlines() if line.strip()]


def load_clough(root: Path) -> PairCorpus:
    """All 100 Clough-Stevenson texts; each answer is paired with its task's ``orig_task*``.

    ``meta["category"]`` maps each answer id to ``cut``, ``light``, ``heavy`` or ``non``.
    There are no character offsets, so the corpus has no cases.
    """
    folder = root / "corpus-20090418"
    documents = {p.stem: read_text(p, ("utf-8", "cp1252")) for p in sorted(folder.glob("*.txt"))}
    rows = csv.DictReader(io.StringIO(read_text(root / "file_information.udacity.csv")))
    category = {_stem(r["File"]): r["Category"] for r in rows if r["Category"] != "orig"}
    pairs = tuple((answer, f"orig_task{answer[-1]}") for answer in sorted(category))
    return PairCorpus(name="clough", documents=documents, pairs=pairs, meta={"category": category})


_RECORD = re.compile(r'<REUTERS[^>]*\bNEWID="(\d+)"[^>]*>(.*?)</REUTERS>', re.S)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def load_reuters(root: Path) -> dict[str, str]:
    """Reuters-21578 bodies by NEWID (as str), entities decoded and control characters removed.

    Files are decoded as latin-1 (one is not valid UTF-8). Records without a body are left out.
    Bodies are kept as stored: some files of this copy end bodies with a bare ``3;`` where the
    end-of-text entity ``&#3;`` was; keeping it reproduces the documented 340 identical groups.
    """
    bodies = {}
    for path in sorted(root.glob("reut2-*.sgm")):
        for newid, record in _RECORD.findall(path.read_bytes().decode("latin-1")):
            body = _BODY.search(record)
            if body:
                bodies[newid] = _CONTROL.sub("", html.unescape(body.group(1))).rstrip()
    return bodies


def identical_body_groups(bodies: dict[str, str]) -> list[list[str]]:
    """Groups (of 2 or more ids) whose bodies are identical after lowercasing and collapsing whitespace.

    Examples
    --------
    >>> identical_body_groups({"1": "A  b", "2": "a b", "3": "c"})
    [['1', '2']]
    """
    groups: dict[str, list[str]] = {}
    for newid, body in bodies.items():
        groups.setdefault(" ".join(body.lower().split()), []).append(newid)
    return sorted((sorted(g, key=int) for g in groups.values() if len(g) > 1), key=lambda g: int(g[0]))
