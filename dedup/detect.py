"""The one-shot batch call: articles in, verified pairs, passages and clusters out.

Stages, each a plain function of its own module::

    read/convert (io) -> tokens (normalize) -> shingles (shingle) -> signatures (signature)
      -> candidates from two LSH tiers (lsh), context triples (context) and verbatim pieces
      (pieces) -> exact verification
      -> passages (align)
      -> clusters (cluster)
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .align import align
from .arrays import pack_pairs
from .batches import PAIR_BATCH, pair_batches
from .candidates import (KEY_MASK, OWNER_MASK, ChunkKeys, candidate_pairs, first_holder_pairs, load_kernels, sign_chunk,
                         sorted_unique, tiers, unique_pairs)
from .context import derive_joined, shared_together, spilled_first_holders, spilled_triple_pairs
from .cluster import cluster_articles, cluster_passages
from .compiled import PAIR_MINIMUM, use_kernels
from .config import Config, resolve
from .copies import (date_key, exact_copies, near_copies, with_representative_pairs, without_member_keys,
                     without_member_pairs)
from .exceptions import InputError
from .intake import Articles, Intake, too_short, unusable
from .io import reread, to_article
from .models import Article, Cluster, Pair, PassageCluster, Skipped
from .normalize import Tokens, split_joined, tokenize_joined
from .parallel import ordered_map, worker_pool
from .pieces import spilled_piece_pairs
from .shingle import shingle_hashes
from .spans import covered
from .spill import PartitionedKeys, SpilledKeys, scan_folder

__all__ = ["Document", "ScanResult", "compare", "compare_documents", "prepare", "prepare_many", "scan", "too_short",
           "unusable", "verify"]

REPORT_VERSION = 1
# Candidate pairs sharing a single shingle are chance LSH collisions (a short window's minima);
# on a 4,000-article news-like sample none of them had a reportable passage, and skipping them
# saves a quarter of the alignment work. Such a pair is aligned only if it shares context triples
# as a reworded pair does (in PAN 2013 03, 47 of 503 tuning pairs share fewer than 2 shingles).
_MIN_SHARED_SHINGLES = 2
# Files the packed shingles of a scan are spread over (about 450 per news article: at a million
# articles, 7 million entries a file).
_PIECE_PARTS = 64


@dataclass(frozen=True, eq=False)
class Document:
    """An article with its tokens and shingles, ready for every later stage."""

    article: Article
    tokens: Tokens
    shingles: np.ndarray  # one 64-bit hash per start position, in text order
    shingle_set: np.ndarray  # sorted unique shingle hashes

    @property
    def id(self) -> str:
        return self.article.id


@dataclass(frozen=True, eq=False)
class ScanResult:
    """Everything a scan found, with the settings and per-stage counts that explain it.

    ``to_dict()`` gives the JSON report: ``params``, ``stats``, ``articles``, ``pairs``,
    ``clusters``, ``passage_clusters`` (and ``skipped``, ``notes``, ``copy_groups`` and
    ``near_copy_groups``). ``copy_groups`` are groups of exact copies, each listing its
    representative and the other copies: every two members of a group are an ``exact`` pair, but
    only representative pairs are aligned and listed in ``pairs`` unless ``all_pairs`` is set.
    ``near_copy_groups`` are groups of more than ``max_bucket_size`` articles, a representative
    and its near-duplicates (Jaccard at least ``threshold``): the pairs of two such copies, which
    share most of their text through the representative (Jaccard at least
    ``2 * threshold - 1``), are not aligned or listed unless ``all_pairs`` is set (see
    :mod:`dedup.copies`).
    """

    config: Config
    articles: Articles  # a sequence of Article; texts read from JSONL or .txt files are read again on access
    pairs: tuple[Pair, ...]
    clusters: tuple[Cluster, ...]
    passage_clusters: tuple[PassageCluster, ...]
    skipped: tuple[Skipped, ...]
    stats: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    copy_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    near_copy_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def same_words(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` are in one copy group (exact copies; only each copy's pair
        with the group's representative is listed in ``pairs`` unless ``all_pairs`` is set)."""
        group = self._group_of()
        return a != b and a in group and group.get(a) == group.get(b)

    def _group_of(self) -> dict[str, str]:
        return {member: rep for rep, members in self.copy_groups for member in (rep, *members)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "params": self.config.to_dict(),
            "stats": self.stats,
            "notes": list(self.notes),
            "articles": self.articles.metadata(),
            "skipped": [s.to_dict() for s in self.skipped],
            "pairs": [p.to_dict() for p in self.pairs],
            "clusters": [c.to_dict() for c in self.clusters],
            "passage_clusters": [c.to_dict() for c in self.passage_clusters],
            "copy_groups": [{"representative": rep, "copies": list(members)} for rep, members in self.copy_groups],
            "near_copy_groups": [{"representative": rep, "copies": list(members)}
                                 for rep, members in self.near_copy_groups],
        }


def prepare_many(articles: list[Article], config: Config) -> list[Document]:
    """Tokenise and shingle many articles at once."""
    texts = [a.text for a in articles]
    joined = tokenize_joined(texts)
    parts = split_joined(*joined)
    if len(texts) > 1:  # alignment and the index's keys need every text's terms and triples: made at once
        derive_joined(texts, joined[0], joined[2], parts)
    # The shingles of the joined tokens, each text's own cut out of them (a shingle's hash depends
    # only on its words; those spanning two texts are left out): one pass instead of one per text.
    size = config.shingle_size
    whole = shingle_hashes(joined[0].hashes, size)
    documents = []
    for article, tokens, first in zip(articles, parts, joined[2].tolist()):
        shingles = whole[first : first + max(len(tokens) - size + 1, 0)]
        documents.append(Document(article, tokens, shingles, sorted_unique(shingles)))
    return documents


def prepare(article: Article, config: Config) -> Document:
    """Tokenise and shingle one article."""
    return prepare_many([article], config)[0]


def _shared(xs: np.ndarray, ys: np.ndarray) -> int:
    """Size of the intersection of two sorted sets: binary search of the smaller in the larger (the
    compiled form walks both at once)."""
    if use_kernels(len(xs) + len(ys), PAIR_MINIMUM):
        from .kernels import sorted_intersection

        return len(sorted_intersection(xs, ys)[0])
    small, large = (xs, ys) if len(xs) <= len(ys) else (ys, xs)
    if len(small) == 0:
        return 0
    at = np.minimum(np.searchsorted(large, small), len(large) - 1)
    return int(np.count_nonzero(large[at] == small))


def verify(a: Document, b: Document) -> tuple[int, float, float, float]:
    """Exact overlap of two documents' shingle sets: ``(shared, jaccard, containment_a, containment_b)``."""
    shared = _shared(a.shingle_set, b.shingle_set)
    union = len(a.shingle_set) + len(b.shingle_set) - shared
    return shared, shared / union, shared / len(a.shingle_set), shared / len(b.shingle_set)


def _coverage(text: str, spans: list[tuple[int, int]]) -> float:
    return round(covered(0, len(text), spans) / len(text), 4) if text else 0.0


def _order(a: Document, b: Document) -> tuple[Document, Document]:
    """Earlier-dated article first (the likely source), undated after dated, then by id."""
    return (a, b) if date_key(a.article) <= date_key(b.article) else (b, a)


def compare_documents(a: Document, b: Document, config: Config, *, keep_order: bool = False,
                      reworded: bool = False) -> Pair | None:
    """Verify and align one pair; ``None`` when they share no reportable text.

    The earlier-dated article becomes side ``a``, unless ``keep_order`` is true (the index uses
    it so that the query is always side ``a``). ``reworded`` marks a pair whose shared context
    triples stand together (:func:`dedup.context.together`): it is aligned even when it shares
    almost no shingle.

    A pair below the near-duplicate threshold that paraphrase alignment finds nothing in gets a
    second, more lenient look (``look_again`` of :func:`dedup.align.align`), whose passages must
    share their content words in order: what random edits leave of a passage.
    """
    if not keep_order:
        a, b = _order(a, b)
    shared, jaccard, cont_a, cont_b = verify(a, b)
    if shared < min(_MIN_SHARED_SHINGLES, len(a.shingle_set), len(b.shingle_set)) and not reworded:
        return None
    passages = align(a.article.text, a.tokens, a.shingles, b.article.text, b.tokens, b.shingles,
                     shingle_size=config.shingle_size, min_passage_words=config.min_passage_words,
                     max_gap_words=config.max_gap_words, paraphrase_min_words=config.paraphrase_min_words,
                     min_fragment_words=config.min_fragment_words, look_again=jaccard < config.threshold)
    if np.array_equal(a.tokens.hashes, b.tokens.hashes):
        kind = "exact"
    elif jaccard >= config.threshold:
        kind = "near-duplicate"
    elif passages:
        kind = "partial"
    else:
        return None
    return Pair(a=a.id, b=b.id, kind=kind, jaccard=round(jaccard, 4), containment_a=round(cont_a, 4),
                containment_b=round(cont_b, 4),
                coverage_a=_coverage(a.article.text, [(p.a_start, p.a_end) for p in passages]),
                coverage_b=_coverage(b.article.text, [(p.b_start, p.b_end) for p in passages]),
                passages=tuple(passages))


# Two pairs that run every alignment kernel once: a reworded paragraph beside a copied sentence,
# and one stock phrase beside a sentence that shares only context triples.
_WARM_UP = (
    ("The central bank raised its main interest rate by half a point on Tuesday, citing inflation that has stayed "
     "above its target for two years. Markets had expected a smaller move. The governor said further increases "
     "could follow if prices kept rising, and that the bank would watch wages closely.",
     "The central bank raised its main interest rate by half a point on Tuesday, citing inflation that has stayed "
     "above its target for two years. Traders had expected a smaller step. Further increases could follow should "
     "prices keep rising, the governor said, adding that the bank would watch wages closely."),
    ("Officials said in a statement on Monday that the harbour would reopen. Regional authorities closed the "
     "crossing to freight traffic until bridge repairs end.",
     "The minister said in a statement on Monday that talks would resume. Freight traffic: the crossing was closed "
     "by regional authorities, and bridge repairs end soon."),
)


def _load_alignment_kernels() -> None:
    """Align two small pairs with the compiled kernels, so that they are loaded (on a machine's
    first run, compiled) once, before the worker processes fork, as :func:`load_kernels` does for
    signing; each worker would otherwise load them, or on a first run compile them, itself.

    With the default settings, whatever the scan's: the kernels depend only on the types of their
    arguments, and with a scan's longer shingles these texts would hold none."""
    config = Config()
    for n, texts in enumerate(_WARM_UP):
        a, b = prepare_many([Article(id=f"{n}{side}", text=text) for side, text in zip("ab", texts)], config)
        compare_documents(a, b, config, reworded=True)


def _reworded(a: Document, b: Document) -> bool:
    """Whether the context triples two articles share stand together: the rule of reworded reuse
    (every few words edited, the content words kept together) for a corpus of the two."""
    return shared_together(a.article.text, a.tokens, b.article.text, b.tokens)


_CHUNK = 1000  # articles per signing task
# The arrays of the chunk a process signed last stay referenced until it has signed the next one.
# Freed at once, their pages go back to the system (glibc), and the next chunk's arrays of the
# same sizes fault them in again: a 20k scan took 266,000 page faults against 77,000-100,000 in
# one process (1.3 s of system time against 0.9), and 347,000-366,000 against 256,000-262,000 with two
# workers. The tasks of the later stages let it go.
_last_signed: list[ChunkKeys] = []


def _compare_batch(articles: dict[int, Article], pairs: list[tuple[int, int, bool]], config: Config) -> list[Pair]:
    """Phase 3 task: read the articles' texts again, then verify and align a batch of candidate
    pairs ``(i, j, found by context triples)``."""
    _last_signed.clear()
    order = sorted(articles)
    documents = dict(zip(order, prepare_many(reread([articles[i] for i in order], config), config)))
    return [p for i, j, reworded in pairs
            if (p := compare_documents(documents[i], documents[j], config, reworded=reworded))]


Progress = Callable[..., None]


def _no_progress(stage: str, done: int, total: int | None = None) -> None:
    """The default progress hook: does nothing."""


def scan(articles: Iterable[Any], config: Config | None = None, *, progress: Progress | None = None,
         **overrides: Any) -> ScanResult:
    """Find every pair of articles that share text, their passages, and clusters.

    Articles stream through: they are signed a chunk at a time on every core (``workers``), and
    only the candidate pairs' articles are tokenised again for alignment. Articles read from
    JSONL or ``.txt`` files (:func:`dedup.io.read_paths`) are not kept with their texts: the
    workers read them again from the files, which must stay in place until the scan ends.

    Parameters
    ----------
    articles : iterable of Article, mapping or object with ``id``/``text`` attributes
        Also accepts the :class:`~dedup.models.Skipped` records of :func:`dedup.io.read_paths`,
        which are counted in the report.
    config : Config, optional
    progress : callable, optional
        Called as ``progress(stage, n)`` when ``n`` more articles (stage ``"sign"``) or
        candidate pairs (stage ``"align"``) are done, and as ``progress("align", 0, total)`` once
        the number of candidate pairs is known; for progress bars.
    **overrides
        Any :class:`Config` field, for example ``threshold=0.9``.

    Returns
    -------
    ScanResult

    Examples
    --------
    >>> wire = "The central bank raised its main interest rate by half a percentage point on Tuesday, citing inflation."
    >>> rewrite = "Markets fell. " + wire + " Analysts had expected the move."
    >>> result = scan([{"id": "wire", "text": wire}, {"id": "rewrite", "text": rewrite}])
    >>> [(p.a, p.b, p.kind) for p in result.pairs]
    [('rewrite', 'wire', 'partial')]
    >>> p = result.pairs[0].passages[0]
    >>> rewrite[p.a_start:p.a_end] == wire[p.b_start:p.b_end] == wire
    True
    """
    config = resolve(config, **overrides)
    progress = progress or _no_progress
    intake = Intake(config)
    with worker_pool(config.workers) as pool, scan_folder() as folder:
        triples = PartitionedKeys(folder, "triples", columns=2)
        pieces = PartitionedKeys(folder, "pieces", _PIECE_PARTS, columns=2)
        keys, content = _sign_all(pool, intake, articles, progress, SpilledKeys(folder, tiers(config)[1].bands),
                                  triples, pieces)
        copies = {} if config.all_pairs else exact_copies(intake.articles, content)
        keys = without_member_keys(keys, copies)
        members = [m for ms in copies.values() for m in ms]
        triples = triples.without_owners(members, OWNER_MASK)
        pieces = pieces.without_owners(members, OWNER_MASK)
        # (first, while the workers are free: its batches would otherwise wait behind the jobs below)
        near = {} if config.all_pairs else _near_copy_groups(pool, keys, intake.articles, config)
        # The context-triple and verbatim-piece pairs come from their own files: the workers count
        # them meanwhile.
        executor = pool.running()
        triple_job = executor.submit(_triple_pairs, triples, folder) if executor else None
        piece_job = executor.submit(_piece_pairs, pieces, folder) if executor else None
        candidates, short, stats = candidate_pairs(keys, config)
        triple_candidates, close, stats["context_triples"] = (triple_job.result() if triple_job
                                                              else _triple_pairs(triples, folder))
        firsts = first_holder_pairs(short, spilled_first_holders(folder))
        stats["lsh_passage"]["first_holder_pairs"] = len(firsts)
        del short
        piece_candidates, stats["verbatim_pieces"] = piece_job.result() if piece_job else _piece_pairs(pieces, folder)
        candidates = unique_pairs([candidates, triple_candidates, firsts, piece_candidates])
        # (copy members hold no triples: their pairs need no mapping onto representatives)
        reworded = sorted_unique(pack_pairs(without_member_pairs(triple_candidates[close], near)))
        del keys, triple_candidates
        candidates = without_member_pairs(with_representative_pairs(candidates, copies), near)
        stats["exact_copies_collapsed"] = sum(len(m) for m in copies.values())
        stats["near_copies_collapsed"] = sum(len(m) for m in near.values())
        pairs = _align_all(pool, candidates, reworded, intake.articles, config, progress)
    found = Articles([a for a in intake.articles if a is not None], config)
    copy_ids, near_ids = _ids(copies, intake.articles), _ids(near, intake.articles)
    clusters = cluster_articles(found.kept(), pairs, threshold=config.cluster_threshold, copies=copy_ids | near_ids)
    passage_clusters = cluster_passages(found.kept(), pairs)
    stats.update(_counts(intake, found, candidates, pairs, clusters, passage_clusters))
    return ScanResult(config=config, articles=found, pairs=tuple(pairs), clusters=tuple(clusters),
                      passage_clusters=tuple(passage_clusters), skipped=tuple(intake.skipped), stats=stats,
                      notes=tuple(_explain(stats, intake, config)), copy_groups=_listed(copy_ids),
                      near_copy_groups=_listed(near_ids))


def _triple_pairs(triples: PartitionedKeys, folder: str) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Phase 2 task: the candidate pairs of the context triples in their files."""
    _last_signed.clear()
    return spilled_triple_pairs(triples.parts(), folder, KEY_MASK, OWNER_MASK)


def _piece_pairs(pieces: PartitionedKeys, folder: str) -> tuple[np.ndarray, dict[str, Any]]:
    """Phase 2 task: the candidate pairs of the verbatim pieces in their files."""
    _last_signed.clear()
    return spilled_piece_pairs(pieces.parts(), folder, KEY_MASK, OWNER_MASK)


def _sign_all(pool, intake: Intake, articles: Iterable[Any], progress: Progress,
              windows: SpilledKeys, triples: PartitionedKeys, pieces: PartitionedKeys) -> tuple[list[list[Any]], np.ndarray]:
    """Phase 1: read, tokenise, sign and band every article, keeping only the packed band keys
    of each tier (the passage tier's in ``windows``, on disk), the packed context triples
    (:mod:`dedup.context`, in ``triples``, on disk), the packed shingles (:mod:`dedup.pieces`, in
    ``pieces``, on disk) and each article's word-sequence hash (0 for one shorter than a
    shingle)."""
    documents: list[np.ndarray] = []
    contents: list[np.ndarray] = []
    for chunk, (_, first, _, _) in _zip_chunks(pool, intake, articles, (windows, triples, pieces)):
        documents.append(chunk.documents)
        contents.append(np.where(chunk.shingles > 0, chunk.content, np.uint64(0)))
        for offset in np.flatnonzero(chunk.shingles == 0).tolist():
            intake.too_short(first + offset, int(chunk.words[offset]))
        progress("sign", len(chunk.words))
    return [documents, [windows]], np.concatenate(contents or [np.empty(0, np.uint64)])


def _near_copy_groups(pool, keys: list[list[np.ndarray]], articles: list[Article | None], config: Config):
    """Groups of near copies (:func:`dedup.copies.near_copies`), from the document tier's
    candidate pairs verified on their exact shingle sets (no alignment)."""
    document_pairs, _, _ = candidate_pairs(keys[:1], config)
    batches = pair_batches(document_pairs, articles, config)
    verified = ordered_map(pool.for_tasks(len(document_pairs) > PAIR_BATCH), _near_duplicates, batches)
    near = [pair for batch in verified for pair in batch]
    return near_copies(np.array(near, dtype=np.int64).reshape(-1, 2), articles, min_copies=config.max_bucket_size)


def _near_duplicates(articles: dict[int, Article], pairs: list[tuple[int, int]], config: Config) -> list[tuple[int, int]]:
    """Task: the pairs of a batch whose shingle sets reach the near-duplicate threshold."""
    _last_signed.clear()
    order = sorted(articles)
    documents = dict(zip(order, prepare_many(reread([articles[i] for i in order], config), config)))
    return [(i, j) for i, j, _ in pairs if verify(documents[i], documents[j])[1] >= config.threshold]


def _align_all(pool, candidates: np.ndarray, reworded: np.ndarray, articles: list[Article | None], config: Config,
               progress: Progress) -> list[Pair]:
    """Phase 3: verify and align every candidate pair on the workers; pairs sorted by ids.
    ``reworded`` holds the sorted codes (:func:`~dedup.arrays.pack_pairs`) of the pairs found by
    context triples."""
    pairs = []
    progress("align", 0, len(candidates))
    batches = pair_batches(candidates, articles, config, reworded)
    for done, batch in enumerate(ordered_map(pool.for_tasks(len(candidates) > PAIR_BATCH), _compare_batch, batches)):
        pairs.extend(batch)
        progress("align", min(PAIR_BATCH, len(candidates) - done * PAIR_BATCH))
    return sorted(pairs, key=lambda p: (p.a, p.b))


def _ids(groups: dict[int, list[int]], articles: list[Article | None]) -> dict[str, list[str]]:
    return {articles[r].id: [articles[m].id for m in ms] for r, ms in groups.items()}


def _listed(groups: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((rep, tuple(sorted(ms))) for rep, ms in groups.items()))


def _zip_chunks(pool, intake: Intake, records: Iterable[Any], spills: tuple[SpilledKeys, PartitionedKeys, PartitionedKeys]):
    """Signed chunks (:func:`_sign_spilled`) paired with the call that made them (to know each
    chunk's first index)."""
    calls: deque = deque()
    chunks = ((*chunk, spills) for chunk in intake.chunks(records, _CHUNK))
    ahead = list(itertools.islice(chunks, 2))  # a single chunk is signed in this process

    def remember():
        for call in itertools.chain(ahead, chunks):
            calls.append(call)
            yield call

    if len(ahead) > 1:  # the chunks go to worker processes: load the kernels once, before they fork
        load_kernels(ahead[0][2])
        _load_alignment_kernels()
    for chunk in ordered_map(pool.for_tasks(len(ahead) > 1), _sign_spilled, remember()):
        yield chunk, calls.popleft()


def _sign_spilled(texts: list[str], first: int, config: Config, spills: tuple[SpilledKeys, PartitionedKeys, PartitionedKeys]
                  ) -> ChunkKeys:
    """Phase 1 task: :func:`sign_chunk`, with the chunk's passage-tier band keys, context triples
    and verbatim-piece entries written to ``spills`` (tagged with the chunk's first index) here,
    in the worker, instead of being sent back (most of what signing makes)."""
    chunk = sign_chunk(texts, first, config)
    windows, triples, pieces = spills
    windows.append(chunk.windows, tag=first)
    triples.append(chunk.triples, tag=first)
    pieces.append(chunk.pieces, tag=first)
    _last_signed[:] = [chunk]
    spilled = np.empty((0, 2), dtype=np.uint64)
    return dataclasses.replace(chunk, windows=np.empty((0, chunk.windows.shape[1]), np.uint64), triples=spilled,
                               pieces=spilled)


def _counts(intake: Intake, found: Articles, candidates: np.ndarray, pairs: list[Pair], clusters,
            passage_clusters) -> dict[str, Any]:
    skipped_articles = [s for s in intake.skipped if s.kind == "article"]
    skipped_files = [s for s in intake.skipped if s.kind == "file"]
    kinds = Counter(p.kind for p in pairs)
    return {
        "articles_read": len(found) + len(skipped_articles),
        "articles_processed": len(found),
        "articles_skipped": len(skipped_articles),
        "files_skipped": len(skipped_files),
        "skipped_by_reason": dict(sorted(Counter(s.code for s in intake.skipped).items())),
        "candidate_pairs": len(candidates),
        "pairs": len(pairs),
        "pairs_by_kind": {k: kinds.get(k, 0) for k in ("exact", "near-duplicate", "partial")},
        "passages": sum(len(p.passages) for p in pairs),
        "clusters": len(clusters),
        "passage_clusters": len(passage_clusters),
    }


def _explain(stats: dict[str, Any], intake: Intake, config: Config) -> list[str]:
    """Plain sentences that make an empty or surprising result explain itself."""
    notes = []
    for code, count in stats["skipped_by_reason"].items():
        example = min((s for s in intake.skipped if s.code == code), key=lambda s: s.describe())
        notes.append(f"{count} {'file' if example.kind == 'file' else 'article'}{'s' * (count != 1)} skipped "
                     f"({code}), e.g. {example.describe()}")
    if stats["articles_processed"] < 2:
        notes.append(f"{stats['articles_processed']} article(s) could be processed: at least 2 are needed to find pairs")
    elif stats["candidate_pairs"] == 0:
        notes.append("0 candidate pairs: no two articles share a passage window or a document signature bucket")
    elif stats["pairs"] == 0:
        notes.append(f"{stats['candidate_pairs']} candidate pair(s) checked; none share a passage of at least "
                     f"{config.min_passage_words} words or reach Jaccard {config.threshold}")
    return notes


def compare(a: Any, b: Any, config: Config | None = None, **overrides: Any) -> Pair | None:
    """Verify and align two articles directly (no LSH): the pair as :func:`scan` would report it.

    Returns ``None`` when they share no passage of ``min_passage_words`` and are not near-duplicates.

    Examples
    --------
    >>> text = "Shares of the company rose sharply after it reported record quarterly profits on Monday."
    >>> compare({"id": "x", "text": text}, {"id": "y", "text": text}).kind
    'exact'
    """
    config = resolve(config, **overrides)
    documents = []
    for record in (a, b):
        article = to_article(record, config)
        if isinstance(article, Skipped):
            raise InputError(article.reason, source=article.source or article.id, line=article.line)
        document = prepare(article, config)
        if len(document.shingles) == 0:
            raise InputError(f"{len(document.tokens)} words, shorter than the shingle size ({config.shingle_size})",
                             source=article.origin or article.id)
        documents.append(document)
    return compare_documents(documents[0], documents[1], config, reworded=_reworded(*documents))
