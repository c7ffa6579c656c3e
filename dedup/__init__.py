"""dedup: find near-duplicate and partly copied news articles, and exactly which passages they share.

The public surface::

    scan(articles, config=None, **overrides) -> ScanResult    one-shot, over any iterable of articles
    compare(a, b, config=None, **overrides) -> Pair | None     one pair, no index
    DedupIndex(path or redis:// URL, config=None)              persistent: query, add, add_many, remove
    read_paths(paths, config) -> iterator of Article | Skipped files, folders, "-" for stdin
    Config                                                     every setting, frozen and validated
    Article, Pair, Passage, Cluster, PassageCluster, Skipped   the records (and Match, AddManyResult)
    DedupError (ConfigError, InputError, IndexStoreError)      the one exception tree
"""

from .config import Config
from .detect import ScanResult, compare, scan
from .exceptions import ConfigError, DedupError, IndexStoreError, InputError
from .index import AddManyResult, DedupIndex, Match
from .io import read_paths
from .models import Article, Cluster, Pair, Passage, PassageCluster, PassageSpan, Skipped

__all__ = [
    "AddManyResult",
    "Article",
    "Cluster",
    "Config",
    "ConfigError",
    "DedupError",
    "DedupIndex",
    "IndexStoreError",
    "InputError",
    "Match",
    "Pair",
    "Passage",
    "PassageCluster",
    "PassageSpan",
    "ScanResult",
    "Skipped",
    "compare",
    "read_paths",
    "scan",
]

__version__ = "0.1.0"
