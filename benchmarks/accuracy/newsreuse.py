"""A seeded news-reuse benchmark built from real Reuters-21578 stories.

Real stories play wire copy. Made-up outlets reuse them the way rewrites reuse wire copy:

- a *rewrite* takes some paragraphs (at least 10 words each), sometimes reorders them, applies
  the outlet's house style inside them (:mod:`.housestyle`), adds an attribution, and surrounds
  them with the outlet's own paragraphs (taken from other, unrelated real stories);
- a *re-issue* copies the whole story with a few figures corrected and a correction note.

Each wire story has one to three such derivatives; unrelated real stories are added as
distractors. Every pair of documents that shares a wire paragraph is gold (wire and
derivative, and two derivatives of one wire story), with one case per run of paragraphs that
is contiguous on both sides, in the same :class:`~.gold.Alignment` format as PAN. The corpus is
*closed*: any other reported pair is a false positive. Stories are chosen so that no two of
them share a word 6-gram, so the only reuse in the corpus is the reuse made here.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .gold import Alignment, PairCorpus
from .housestyle import STEPS, according_to_reuters, reuters_dateline
from .splits import split_of

__all__ = ["OUTLETS", "Story", "generate", "story_pool"]

MIN_REUSED_WORDS = 10
GRAM = 6
SEPARATOR = "\n\n"

OUTLETS: dict[str, tuple[str, ...]] = {
    "ledger": ("us_abbreviations", "day_month_dates", "british_spelling", "worded_numbers"),
    "courier": ("us_abbreviations", "told_reporters", "worded_numbers"),
    "gazette": ("day_month_dates", "british_spelling", "told_reporters"),
    "bulletin": (),
}


@dataclass(frozen=True)
class Story:
    """A real story: its NEWID and its paragraphs (whitespace collapsed, sign-off dropped)."""

    id: str
    paragraphs: tuple[str, ...]


def _paragraphs(body: str) -> tuple[str, ...]:
    chunks = re.split(r"\n(?=[ \t]{2,}\S)|\n\s*\n", body)
    paragraphs = [" ".join(chunk.split()) for chunk in chunks]
    if paragraphs:
        paragraphs[-1] = re.sub(r"\s*\bReuter( 3;)?$", "", paragraphs[-1], flags=re.I)
    return tuple(p for p in paragraphs if p)


def story_pool(bodies: Mapping[str, str], part: str) -> list[Story]:
    """Stories of one split part (by NEWID), without bodies that occur more than once."""
    seen: dict[str, int] = {}
    for body in bodies.values():
        key = " ".join(body.lower().split())
        seen[key] = seen.get(key, 0) + 1
    stories = (
        Story(newid, _paragraphs(body))
        for newid, body in sorted(bodies.items(), key=lambda kv: int(kv[0]))
        if split_of(f"reuters-{newid}") == part and seen[" ".join(body.lower().split())] == 1
    )
    return [s for s in stories if s.paragraphs]


def _grams(story: Story) -> set[tuple[str, ...]]:
    words = " ".join(story.paragraphs).lower().split()
    return {tuple(words[i : i + GRAM]) for i in range(len(words) - GRAM + 1)}


class _Picker:
    """Draws stories in a seeded order, skipping any that shares a word 6-gram with one drawn."""

    def __init__(self, pool: Sequence[Story], rng: random.Random):
        self._order = list(pool)
        rng.shuffle(self._order)
        self._grams: set[tuple[str, ...]] = set()

    def draw(self, accept: Callable[[Story], bool]) -> Story:
        for index, story in enumerate(self._order):
            grams = _grams(story)
            if accept(story) and not grams & self._grams:
                del self._order[index]
                self._grams |= grams
                return story
        raise ValueError("story pool exhausted; ask for fewer wire stories or distractors")


def _is_wire(story: Story) -> bool:
    long = [p for p in story.paragraphs if len(p.split()) >= MIN_REUSED_WORDS]
    return len(story.paragraphs) >= 4 and len(long) >= 3


def _is_filler(story: Story) -> bool:
    return any(len(p.split()) >= MIN_REUSED_WORDS for p in story.paragraphs)


class _Writer:
    """Joins paragraphs with blank lines and remembers where each one landed."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, paragraph: str) -> tuple[int, int]:
        if self.parts:
            self.parts.append(SEPARATOR)
            self.length += len(SEPARATOR)
        start = self.length
        self.parts.append(paragraph)
        self.length += len(paragraph)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _Doc:
    id: str
    text: str
    spans: dict[int, tuple[int, int]]  # wire paragraph index -> span in this document


def _write(doc_id: str, items: Sequence[tuple[int | None, str]]) -> _Doc:
    writer, spans = _Writer(), {}
    for index, paragraph in items:
        span = writer.add(paragraph)
        if index is not None:
            spans[index] = span
    return _Doc(doc_id, writer.text(), spans)


def _house_style(paragraph: str, outlet: str, rng: random.Random) -> str:
    for name in OUTLETS[outlet]:
        if rng.random() < 0.8:
            paragraph = STEPS[name](paragraph)
    return paragraph


def _chosen_paragraphs(story: Story, rng: random.Random) -> list[int]:
    usable = [i for i, p in enumerate(story.paragraphs) if len(p.split()) >= MIN_REUSED_WORDS]
    chosen = sorted(rng.sample(usable, rng.randint(2, min(len(usable), 6))))
    if rng.random() < 0.5:
        i, j = sorted(rng.sample(range(len(chosen)), 2))
        chosen[i], chosen[j] = chosen[j], chosen[i]
    return chosen


def _own_paragraphs(filler: Story, rng: random.Random) -> list[str]:
    usable = [p for p in filler.paragraphs if len(p.split()) >= MIN_REUSED_WORDS]
    return usable[: rng.randint(1, min(3, len(usable)))]


def _rewrite(wire: Story, doc_id: str, outlet: str, fillers: Sequence[Story], rng: random.Random) -> _Doc:
    own = [p for filler in fillers for p in _own_paragraphs(filler, rng)]
    items: list[tuple[int | None, str]] = [(None, own.pop(0))]
    attribute = rng.choice((reuters_dateline, according_to_reuters))
    for n, index in enumerate(_chosen_paragraphs(wire, rng)):
        text = _house_style(wire.paragraphs[index], outlet, rng)
        items.append((index, attribute(text) if n == 0 else text))
        if own and rng.random() < 0.3:
            items.append((None, own.pop(0)))
    items.extend((None, p) for p in own)
    return _write(doc_id, items)


def _correct_figures(text: str, rng: random.Random) -> str:
    digits = [m.start() for m in re.finditer(r"\d", text)]
    for position in rng.sample(digits, min(len(digits), rng.randint(1, 3))):
        new = rng.choice([d for d in "0123456789" if d != text[position]])
        text = text[:position] + new + text[position + 1 :]
    return text


def _reissue(wire: Story, doc_id: str, rng: random.Random) -> _Doc:
    items: list[tuple[int | None, str]] = [(None, "CORRECTED - (Corrects figures in story issued earlier)")]
    items.extend((i, _correct_figures(p, rng) if rng.random() < 0.4 else p) for i, p in enumerate(wire.paragraphs))
    return _write(doc_id, items)


def _merge(alignments: list[Alignment]) -> list[Alignment]:
    """Join cases that are adjacent (only a separator apart) and in order on both sides."""
    merged: list[Alignment] = []
    for case in sorted(alignments):
        last = merged[-1] if merged else None
        gap_ok = last and 0 <= case.susp_start - last.susp_end <= len(SEPARATOR)
        if gap_ok and 0 <= case.src_start - last.src_end <= len(SEPARATOR):
            merged[-1] = Alignment(last.susp, last.susp_start, case.susp_end, last.src, last.src_start, case.src_end)
        else:
            merged.append(case)
    return merged


def _family_cases(family: Sequence[_Doc]) -> list[Alignment]:
    """Gold cases between every two documents of one wire story's family (later one suspicious)."""
    cases = []
    for src, susp in itertools.combinations(family, 2):
        shared = sorted(set(src.spans) & set(susp.spans))
        pairs = [Alignment(susp.id, *susp.spans[i], src.id, *src.spans[i]) for i in shared]
        cases.extend(_merge(pairs))
    return cases


def _family(wire: Story, picker: _Picker, rng: random.Random) -> list[_Doc]:
    family = [_write(f"wire-{wire.id}", list(enumerate(wire.paragraphs)))]
    outlets = rng.sample(sorted(OUTLETS), rng.randint(1, 3))
    for outlet in outlets:
        if rng.random() < 0.25:
            family.append(_reissue(wire, f"wire-{wire.id}-{outlet}-corrected", rng))
            continue
        fillers = [picker.draw(_is_filler) for _ in range(rng.randint(1, 2))]
        family.append(_rewrite(wire, f"{outlet}-{wire.id}", outlet, fillers, rng))
    return family


def generate(
    bodies: Mapping[str, str], *, seed: int, part: str = "tuning", wires: int = 100, distractors: int = 300
) -> PairCorpus:
    """Build the corpus from Reuters bodies (NEWID to text); same inputs, same corpus.

    ``part`` (``"tuning"`` or ``"held-out"``) picks the half of Reuters the stories come from,
    so the two parts share no story.
    """
    rng = random.Random(seed)
    picker = _Picker(story_pool(bodies, part), rng)
    documents: dict[str, str] = {}
    cases: list[Alignment] = []
    for _ in range(wires):
        family = _family(picker.draw(_is_wire), picker, rng)
        documents.update((doc.id, doc.text) for doc in family)
        cases.extend(_family_cases(family))
    for _ in range(distractors):
        story = picker.draw(_is_filler)
        documents[f"story-{story.id}"] = SEPARATOR.join(story.paragraphs)
    pairs = tuple(sorted({case.pair for case in cases}))
    meta = {"seed": seed, "part": part, "wires": wires, "distractors": distractors}
    return PairCorpus(name=f"newsreuse/{part}", documents=documents, pairs=pairs, cases=tuple(cases), closed=True, meta=meta)
