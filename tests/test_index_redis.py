"""DedupIndex on a real Redis server, started by these tests on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedup import ConfigError, DedupIndex, IndexStoreError, InputError

sys.path.insert(0, str(Path(__file__).parent))
from test_index import _child, as_seen, candidate_ids, crowded_triple_case, make_corpus  # noqa: E402

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 30  # a loaded CI machine can be slow to start it
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"redis-server on port {self.port} did not answer PING "
                                       f"(exit status {self.process.returncode})") from None
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@pytest.fixture
def server(tmp_path):
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed (apt-get install -y redis-server)")
        pytest.skip("redis-server is not installed")
    running = RedisServer(tmp_path)
    yield running
    running.stop()


def test_redis_answers_like_sqlite(server, tmp_path):
    corpus = make_corpus(50)
    with DedupIndex(server.url) as shared, DedupIndex(tmp_path / "i.db") as local:
        assert as_seen_batch(shared.add_many(corpus, chunk_size=8)) == as_seen_batch(local.add_many(corpus, chunk_size=8))
        for article in corpus[::4]:
            assert as_seen(shared.query(article)) == as_seen(local.query(article))
        assert len(shared) == len(local) == 50
        assert shared.get(corpus[2]["id"]).text == corpus[2]["text"] and corpus[2]["id"] in shared


def as_seen_batch(result):
    return {k: as_seen(v) for k, v in result.matches.items()}


def test_redis_conflicts_and_remove(server):
    a, b = make_corpus(2)
    with DedupIndex(server.url) as index:
        index.add(a)
        index.add({**b, "id": a["id"]})
        assert len(index) == 1 and index.get(a["id"]).text == b["text"]
        index.add(a, on_conflict="skip")
        assert index.get(a["id"]).text == b["text"]
        with pytest.raises(InputError, match="already in the index"):
            index.add(a, on_conflict="error")
        assert index.remove(a["id"]) and not index.remove(a["id"]) and len(index) == 0
        import redis

        client = redis.Redis.from_url(server.url)
        leftover = [k for k in client.scan_iter("dedup:b:*")]
        assert leftover == []  # removing the last article leaves no band keys behind


def test_redis_full_triples_are_skipped_until_an_article_is_removed(server):
    holders, probe = crowded_triple_case()
    with DedupIndex(server.url) as writer, DedupIndex(server.url) as reader:
        writer.add_many(holders)
        assert candidate_ids(reader, probe) == set() and len(reader._full_triples) > 0
        for victim in holders[:2]:
            writer.remove(victim["id"])
        assert candidate_ids(reader, probe) == {"h2", "h3", "h4", "h5"}


def test_redis_settings_are_recorded(server):
    with DedupIndex(server.url, seed=9) as index:
        index.add(make_corpus(1)[0])
    with DedupIndex(server.url) as index:
        assert index.config.seed == 9
    with pytest.raises(ConfigError, match="seed=9"):
        DedupIndex(server.url, seed=1)


def test_several_workers_on_one_redis(server):
    children = [_child(server.url, n=60, seed=5, prefix=p, chunk=6) for p in ("p", "q", "shared-", "shared-")]
    for child in children:  # every child waited for before any assertion: none outlives the server
        child.communicate(timeout=300)
    assert [child.returncode for child in children] == [0, 0, 0, 0]
    with DedupIndex(server.url) as index:
        assert len(index) == 180
        assert all(f"{p}a{i:04d}" in index for p in ("p", "q", "shared-") for i in range(60))
        import redis

        client = redis.Redis.from_url(server.url)
        assert int(client.hlen("dedup:ids")) == len(list(client.scan_iter("dedup:doc:*"))) == 180


def test_unreachable_redis_names_the_url():
    url = f"redis://127.0.0.1:{_free_port()}/0"
    with pytest.raises(IndexStoreError, match=url.replace("/", "/")):
        DedupIndex(url)


def test_redis_going_away_mid_run_is_an_error_not_a_success(server):
    corpus = make_corpus(40)
    with DedupIndex(server.url) as index:
        index.add_many(corpus[:10])
        server.stop()
        with pytest.raises(IndexStoreError, match=server.url):
            index.add_many(corpus[10:])
        with pytest.raises(IndexStoreError, match=server.url):
            index.query(corpus[0])
        with pytest.raises(IndexStoreError, match=server.url):
            len(index)
