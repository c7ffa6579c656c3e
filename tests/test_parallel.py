"""Worker processes change the speed, never the result."""

from __future__ import annotations

from dedup import scan
from dedup.parallel import ordered_map, worker_pool


def square(x: int) -> int:
    return x * x


def test_ordered_map_keeps_input_order_with_and_without_workers():
    for workers in (1, 2):
        with worker_pool(workers) as pool:
            executor = pool.for_tasks(several=True)
            assert (executor is None) == (workers == 1)
            assert list(ordered_map(executor, square, ((i,) for i in range(50)), ahead=1)) == [i * i for i in range(50)]
            assert pool.for_tasks(several=False) is None


def test_scan_gives_the_same_report_with_one_or_two_workers(seeds, monkeypatch):
    import dedup.batches as batches
    import dedup.detect as detect

    monkeypatch.setattr(detect, "_CHUNK", 3)  # several chunks and batches even for a small corpus
    for module in (detect, batches):
        monkeypatch.setattr(module, "PAIR_BATCH", 2)
    story = " ".join(seeds[0].text.split()[:120])
    corpus = [{"id": f"copy{i}", "text": story + f" Reported by desk {i} in the capital city today."} for i in range(5)]
    corpus += [{"id": a.id, "text": a.text} for a in seeds]
    one, two = scan(corpus, workers=1).to_dict(), scan(corpus, workers=2).to_dict()
    one["params"].pop("workers"), two["params"].pop("workers")
    assert one == two and len(one["pairs"]) > 5
