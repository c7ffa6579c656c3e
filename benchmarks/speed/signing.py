"""Signing alone: articles per CPU-second of MinHash signing, datasketch vs rensa vs dedup.

Two measurements per engine, on the same articles:

- ``from_shingles``: the shingles are ready (datasketch and rensa get lists of shingle strings,
  dedup gets arrays of 64-bit shingle hashes); only the signatures are timed;
- ``from_text``: text in, signatures out (lowercase/split/shingle for the peers; dedup's own
  tokenizer and shingler, which also normalise tokens and keep offsets).

"Per core" is articles divided by CPU seconds (user + system of this process and of any waited
children), so an engine that uses more cores does not look faster per core. dedup's part uses
``dedup.candidates.joined_shingles`` (or, failing that, ``dedup.normalize.tokenize_array`` and
``dedup.shingle.shingle_hashes``) and ``dedup.signature.sign_documents(shingle_arrays,
num_perm=, seed=)``; from text, it signs each chunk of 1,000 articles as the scan does, from the
chunk's joined shingles (``sign_documents_joined``), without splitting them into one array per
article. If they are missing it is skipped with a message.
"""

import resource
import time

from .peers import NUM_PERM, SHINGLE_SIZE, shingles


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn, n_articles: int) -> dict:
    wall, cpu = time.perf_counter(), _cpu()
    fn()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "articles_per_s": round(n_articles / wall, 1),
        "articles_per_cpu_s": round(n_articles / cpu, 1),
    }


def _shingle_lists(texts: list[str]) -> list[list[bytes]]:
    return [[s.encode("utf-8") for s in shingles(t)] for t in texts]


def _datasketch_bulk(shingle_lists: list[list[bytes]]):
    import xxhash
    from datasketch import MinHash

    return MinHash.bulk(shingle_lists, num_perm=NUM_PERM, hashfunc=xxhash.xxh32_intdigest)


def _rensa(shingle_lists: list[list[str]]):
    from rensa import RMinHash

    return RMinHash.digest_matrix_from_token_sets(shingle_lists, NUM_PERM, 42)


def _dedup_shingles(texts: list[str], chunk: int = 1000) -> list:
    """dedup's shingle-hash arrays, through its batched path (``joined_shingles``) when it has one."""
    import numpy as np

    try:
        from dedup.candidates import joined_shingles
    except ImportError:
        from dedup.normalize import tokenize_array
        from dedup.shingle import shingle_hashes

        arrays = [shingle_hashes(tokenize_array(t).hashes, SHINGLE_SIZE) for t in texts]
        return [a for a in arrays if len(a)]
    arrays = []
    for first in range(0, len(texts), chunk):
        shingles, _, counts, _ = joined_shingles(texts[first : first + chunk], SHINGLE_SIZE)
        arrays += [a for a in np.split(shingles, np.cumsum(counts)[:-1]) if len(a)]
    return arrays


def _dedup_from_text(texts: list[str], chunk: int = 1000) -> list:
    """dedup's signatures of ``texts``, chunk by chunk from the joined shingles, as a scan signs."""
    from dedup.candidates import joined_shingles
    from dedup.signature import sign_documents_joined

    signed = []
    for first in range(0, len(texts), chunk):
        shingles, _, counts, _ = joined_shingles(texts[first : first + chunk], SHINGLE_SIZE)
        signed.append(sign_documents_joined(shingles, counts[counts > 0], num_perm=NUM_PERM, seed=1))
    return signed


def _dedup_sign(arrays):
    from dedup.signature import sign_documents

    return sign_documents(arrays, num_perm=NUM_PERM, seed=1)


def benchmark(texts: list[str]) -> dict:
    """Time each engine on ``texts``; dedup's entry holds ``skipped`` if it cannot run."""
    n = len(texts)
    results = {"articles": n}
    byte_lists = _shingle_lists(texts)
    str_lists = [[s.decode("utf-8") for s in doc] for doc in byte_lists]
    results["datasketch-bulk"] = {
        "from_shingles": _timed(lambda: _datasketch_bulk(byte_lists), n),
        "from_text": _timed(lambda: _datasketch_bulk(_shingle_lists(texts)), n),
    }
    results["rensa"] = {
        "from_shingles": _timed(lambda: _rensa(str_lists), n),
        "from_text": _timed(lambda: _rensa([list(shingles(t)) for t in texts]), n),
    }
    byte_lists = str_lists = None  # free the lists before our own run
    try:
        arrays = _dedup_shingles(texts)
        results["ours"] = {
            "from_shingles": _timed(lambda: _dedup_sign(arrays), n),
            "from_text": _timed(lambda: _dedup_from_text(texts), n),
        }
    except (ImportError, AttributeError, TypeError) as exc:
        results["ours"] = {"skipped": f"dedup signing not available: {exc!r}"}
    return results
