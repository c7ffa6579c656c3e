"""Deterministic news-like corpora of any size, for the speed benchmark.

Words come from a bigram model of the Reuters-21578 bodies in ``../shared/data/reuters21578/``,
built at generation time (the data is never copied into the project). Articles average about
450 words in paragraphs. About 10% of the articles reuse text of an earlier article (the source
is at most ``POOL`` articles back, so the writer streams):

- ``exact``: a whole copy;
- ``near``: a whole copy with a few word edits (substitutions, deletions, insertions);
- ``partial``: 1-4 paragraphs of the source inside otherwise new text.

The same ``(n_articles, seed)`` always gives a byte-identical file. Generated files are cached
under ``benchmarks/.cache/`` keyed by size, seed and ``VERSION``.

Example::

    python -m benchmarks.speed.corpus 20000 --seed 1   # prints the cached path
"""

import datetime as dt
import html
import json
import os
import re
import sys
from pathlib import Path

import numpy as np

VERSION = 1  # bump when the output for a given (size, seed) changes
REUTERS = Path(__file__).resolve().parents[3] / "shared" / "data" / "reuters21578"
CACHE = Path(__file__).resolve().parents[1] / ".cache"
REUSE_SHARE = 0.10
POOL = 2000
BATCH = 1000
CHAINS = 512
START_DATE = dt.date(2024, 1, 1)

_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)


def reuters_bodies(folder: Path = REUTERS) -> list[str]:
    """Return the Reuters-21578 ``<BODY>`` texts, decoded as latin-1, in file order."""
    files = sorted(folder.glob("reut2-*.sgm"))
    if not files:
        raise FileNotFoundError(f"no reut2-*.sgm files in {folder}; see the README there")
    bodies = []
    for path in files:
        for body in _BODY.findall(path.read_text(encoding="latin-1")):
            text = html.unescape(body).replace("\x03", "")
            text = re.sub(r"\s*Reuter\s*$", "", text.strip())
            if len(text.split()) >= 20:
                bodies.append(text)
    return bodies


class BigramModel:
    """A word bigram model of a token stream, sampled for many chains at once with numpy.

    Sampling the successor of word ``w`` picks a uniformly random occurrence of ``w`` in the
    stream and takes the word after it, which is exactly the bigram distribution and costs two
    array look-ups per word. Bodies end with a ``"\\n"`` token, where a chain restarts from the
    unigram distribution.
    """

    def __init__(self, bodies: list[str]):
        words = [w for body in bodies for w in body.split() + ["\n"]]
        self.vocab = sorted(set(words))
        index = {w: i for i, w in enumerate(self.vocab)}
        self.ids = np.fromiter(map(index.__getitem__, words), dtype=np.int64, count=len(words))
        self.newline = index["\n"]
        counts = np.bincount(self.ids, minlength=len(self.vocab))
        self.occurrences = np.argsort(self.ids, kind="stable")  # positions grouped by word
        self.first = np.concatenate(([0], np.cumsum(counts)[:-1]))
        self.counts = counts
        unigram = counts.astype(np.float64)
        unigram[self.newline] = 0
        self.unigram_cdf = np.cumsum(unigram) / unigram.sum()

    def _restart(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.searchsorted(self.unigram_cdf, rng.random(size), side="right")

    def sample(self, rng: np.random.Generator, n_words: int) -> list[str]:
        """Return ``n_words`` words from ``CHAINS`` parallel Markov chains, concatenated."""
        steps = -(-n_words // CHAINS)
        state = self._restart(rng, CHAINS)
        out = np.empty((steps, CHAINS), dtype=np.int64)
        for t in range(steps):
            dead = state == self.newline
            if dead.any():
                state[dead] = self._restart(rng, int(dead.sum()))
            out[t] = state
            pick = self.first[state] + (rng.random(CHAINS) * self.counts[state]).astype(np.int64)
            state = self.ids[self.occurrences[pick] + 1]
        flat = out.T.ravel()[:n_words]
        return [self.vocab[i] for i in flat]


def _paragraphs(words: list[str], rng: np.random.Generator) -> list[str]:
    paragraphs, i = [], 0
    while i < len(words):
        size = int(rng.integers(25, 90))
        chunk = words[i : i + size]
        if len(chunk) < 12 and paragraphs:
            paragraphs[-1] += " " + " ".join(chunk)
        else:
            paragraphs.append(" ".join(chunk))
        i += size
    return paragraphs


def _edit(paragraphs: list[str], rng: np.random.Generator, filler: list[str]) -> list[str]:
    """Return a near copy: about 1-3% of the words substituted, deleted or doubled."""
    words = "\n\n".join(paragraphs).split(" ")
    for _ in range(max(1, int(len(words) * rng.uniform(0.01, 0.03)))):
        i = int(rng.integers(len(words)))
        op = rng.integers(3)
        if op == 0:
            words[i] = filler[int(rng.integers(len(filler)))]
        elif op == 1 and len(words) > 20:
            del words[i]
        else:
            words.insert(i, filler[int(rng.integers(len(filler)))])
    return " ".join(words).split("\n\n")


def generate(path: Path, n_articles: int, seed: int = 1) -> Path:
    """Write ``n_articles`` JSONL articles to ``path`` (streaming), deterministically from ``seed``."""
    rng = np.random.default_rng([seed, n_articles, VERSION])
    model = BigramModel(reuters_bodies())
    pool: list[list[str]] = []
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8", newline="\n") as out:
        for first in range(0, n_articles, BATCH):
            count = min(BATCH, n_articles - first)
            lengths = np.maximum(60, rng.gamma(6.0, 75.0, size=count).astype(int))
            words = model.sample(rng, int(lengths.sum()))
            ends = np.cumsum(lengths)
            for k in range(count):
                i = first + k
                fresh = _paragraphs(words[ends[k] - lengths[k] : ends[k]], rng)
                paragraphs = _reuse(fresh, pool, rng, words) if pool and rng.random() < REUSE_SHARE else fresh
                date = START_DATE + dt.timedelta(days=i * 365 // n_articles)
                record = {"id": f"n{i:07d}", "text": "\n\n".join(paragraphs), "date": date.isoformat()}
                out.write(json.dumps(record) + "\n")
                pool.append(paragraphs)
                if len(pool) > POOL:
                    pool.pop(0)
    tmp.replace(path)
    return path


def _reuse(fresh: list[str], pool: list[list[str]], rng: np.random.Generator, filler: list[str]) -> list[str]:
    source = pool[int(rng.integers(len(pool)))]
    kind = rng.choice(["exact", "near", "partial"], p=[0.2, 0.3, 0.5])
    if kind == "exact":
        return list(source)
    if kind == "near":
        return _edit(source, rng, filler)
    taken = rng.choice(len(source), size=min(len(source), int(rng.integers(1, 5))), replace=False)
    out = list(fresh)
    for j in sorted(taken):
        out.insert(int(rng.integers(len(out) + 1)), source[j])
    return out


def corpus_path(n_articles: int, seed: int = 1, cache: Path = CACHE) -> Path:
    """Return the cached corpus for ``(n_articles, seed)``, generating it first if needed."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"corpus-v{VERSION}-n{n_articles}-s{seed}.jsonl"
    if not path.exists():
        generate(path, n_articles, seed)
    return path


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_articles", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(corpus_path(args.n_articles, args.seed))
    sys.exit(0)
