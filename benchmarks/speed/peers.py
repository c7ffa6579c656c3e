"""Peer near-duplicate pipelines a Python user could assemble today, for the speed benchmark.

Each is the same pipeline with a different MinHash engine: one signature per article over word
5-gram shingles (lowercased whitespace split), an LSH index at threshold 0.5 with 128
permutations, every article inserted then queried, and the candidates verified by exact Jaccard
on the shingle sets. Pairs with Jaccard >= 0.5 are written as JSONL ``{"a", "b", "jaccard"}``
(``a < b`` in corpus order; pairs sorted). No passages.

- ``datasketch``: ``MinHash(num_perm=128)`` + ``update_batch`` (sha1), ``MinHashLSH``;
- ``datasketch-update``: the same, one ``update`` call per shingle (the slowest usual way;
  closest to the 65 s of issue 4; optional in the harness);
- ``datasketch-bulk``: ``MinHash.bulk`` with an xxhash 32-bit hash function, ``MinHashLSH``;
- ``rensa``: ``RMinHash`` + ``RMinHashLSH``. rensa needs ``num_perm`` divisible by the band
  count; datasketch picks 25 bands of 5 rows for (0.5, 128), so rensa gets 32 bands of 4 rows,
  which finds slightly more candidates (a peer that errs towards recall).

Run one as ``python -m benchmarks.speed.peers NAME CORPUS.jsonl OUT.jsonl``.
"""

import json
import sys

THRESHOLD = 0.5
NUM_PERM = 128
SHINGLE_SIZE = 5


def read_articles(path: str) -> tuple[list[str], list[str]]:
    """Return the ids and texts of a JSONL corpus, in file order."""
    ids, texts = [], []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            ids.append(str(record["id"]))
            texts.append(record["text"])
    return ids, texts


def shingles(text: str, k: int = SHINGLE_SIZE) -> set[str]:
    """Word k-grams of the lowercased text, joined by one space (the whole text if shorter)."""
    words = text.lower().split()
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def verify(candidates, sets: list[set[str]]) -> list[tuple[int, int, float]]:
    """Exact Jaccard of each candidate pair ``(i, j)``, ``i < j``; keep those >= THRESHOLD."""
    kept = []
    for i, j in sorted(candidates):
        a, b = sets[i], sets[j]
        inter = len(a & b)
        jaccard = inter / (len(a) + len(b) - inter) if a or b else 0.0
        if jaccard >= THRESHOLD:
            kept.append((i, j, jaccard))
    return kept


def _pairs(keys_per_query) -> set[tuple[int, int]]:
    return {(min(i, j), max(i, j)) for i, keys in enumerate(keys_per_query) for j in keys if j != i}


def run_datasketch(sets: list[set[str]]) -> set[tuple[int, int]]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    signatures = []
    for i, s in enumerate(sets):
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([x.encode("utf-8") for x in s])
        lsh.insert(i, m)
        signatures.append(m)
    return _pairs(lsh.query(m) for m in signatures)


def run_datasketch_update(sets: list[set[str]]) -> set[tuple[int, int]]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    signatures = []
    for i, s in enumerate(sets):
        m = MinHash(num_perm=NUM_PERM)
        for shingle in s:
            m.update(shingle.encode("utf-8"))
        lsh.insert(i, m)
        signatures.append(m)
    return _pairs(lsh.query(m) for m in signatures)


def run_datasketch_bulk(sets: list[set[str]]) -> set[tuple[int, int]]:
    import xxhash
    from datasketch import MinHash, MinHashLSH

    signatures = MinHash.bulk(
        ([x.encode("utf-8") for x in s] for s in sets), num_perm=NUM_PERM, hashfunc=xxhash.xxh32_intdigest
    )
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, m in enumerate(signatures):
            session.insert(i, m)
    return _pairs(lsh.query(m) for m in signatures)


def run_rensa(sets: list[set[str]]) -> set[tuple[int, int]]:
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(THRESHOLD, NUM_PERM, 32)
    signatures = []
    for i, s in enumerate(sets):
        m = RMinHash(NUM_PERM, 42)
        m.update(list(s))
        lsh.insert(i, m)
        signatures.append(m)
    return _pairs(lsh.query(m) for m in signatures)


PEERS = {"datasketch": run_datasketch, "datasketch-update": run_datasketch_update, "datasketch-bulk": run_datasketch_bulk, "rensa": run_rensa}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in PEERS:
        print(f"usage: python -m benchmarks.speed.peers {{{','.join(PEERS)}}} CORPUS.jsonl OUT.jsonl", file=sys.stderr)
        return 2
    name, corpus, output = argv
    ids, texts = read_articles(corpus)
    sets = [shingles(t) for t in texts]
    del texts
    kept = verify(PEERS[name](sets), sets)
    with open(output, "w", encoding="utf-8") as out:
        for i, j, jaccard in kept:
            out.write(json.dumps({"a": ids[i], "b": ids[j], "jaccard": round(jaccard, 6)}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
