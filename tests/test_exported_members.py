"""The public surface stays small, explicit and sorted."""

from __future__ import annotations

import dedup


def test_all_is_sorted_and_complete():
    assert dedup.__all__ == sorted(dedup.__all__)
    public = {name for name in vars(dedup) if not name.startswith("_") and not isinstance(getattr(dedup, name), type(dedup))}
    assert public == set(dedup.__all__)


def test_errors_share_one_root():
    for name in ("ConfigError", "InputError", "IndexStoreError"):
        assert issubclass(getattr(dedup, name), dedup.DedupError)
