"""Scans let go of the texts they can read again (JSONL files) and read them back when needed."""

from __future__ import annotations

import dataclasses
import json
import random

import pytest

from dedup import Config, InputError, read_paths, scan
from dedup.io import reread

WORDS = ("the central bank said on tuesday that inflation would ease later this year as energy prices fall "
         "while analysts expected further rate rises in the coming months despite weaker growth and "
         "rising unemployment across the region").split()


def _corpus(n: int, seed: int = 3) -> list[dict]:
    """Articles of random words, some reusing another's paragraph, one with non-ASCII text."""
    rng = random.Random(seed)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(40)) + "." for _ in range(n)]
    records = []
    for i in range(n):
        text = paragraphs[i] + "\n\n" + " ".join(rng.choice(WORDS) for _ in range(30)) + "."
        if i % 3 == 0 and i:
            text += "\n\n" + paragraphs[rng.randrange(i)]
        records.append({"id": f"a{i:02d}", "text": text, "date": f"2024-02-{1 + i % 28:02d}"})
    records[1]["text"] = "Zürich — “quoted” 😀 \ud800 " + records[1]["text"]
    return records


def _write(path, records, newline="\n"):
    path.write_bytes("".join(json.dumps(r) + newline for r in records).encode("utf-8"))
    return path


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_scan_that_reads_texts_again_reports_what_a_scan_in_memory_reports(tmp_path, newline):
    path = _write(tmp_path / "feed.jsonl", _corpus(40), newline)
    config = Config(workers=1)
    streamed = scan(read_paths([path], config), config)
    in_memory = scan([dataclasses.replace(a, location=None) for a in read_paths([path], config)], config)
    assert streamed.pairs and streamed.passage_clusters
    assert streamed.to_dict() == in_memory.to_dict()
    assert all(a.text == "" for a in streamed.articles.kept())
    assert [a.text for a in streamed.articles] == [a.text for a in in_memory.articles]
    assert streamed.articles[1].text.startswith("Zürich — “quoted” 😀 \ufffd ")


def test_a_folder_of_text_files_is_read_again_too(tmp_path):
    for record in _corpus(12)[2:]:
        (tmp_path / f"{record['id']}.txt").write_text(f"date {record['date']} World\n{record['text']}", encoding="utf-8")
    config = Config(workers=1)
    streamed = scan(read_paths([tmp_path], config), config)
    in_memory = scan([dataclasses.replace(a, location=None) for a in read_paths([tmp_path], config)], config)
    assert streamed.pairs and streamed.to_dict() == in_memory.to_dict()
    assert all(a.text == "" for a in streamed.articles.kept())
    assert [a.text for a in streamed.articles] == [a.text for a in in_memory.articles]


def test_articles_from_memory_keep_their_texts():
    records = _corpus(6)[2:]
    result = scan(records, workers=1)
    assert [a.text for a in result.articles.kept()] == [r["text"] for r in records]


@pytest.mark.parametrize("change", ["ids", "length"])
def test_a_file_changed_during_the_scan_is_an_error_naming_file_and_line(tmp_path, change):
    records = _corpus(12)
    path = _write(tmp_path / "feed.jsonl", records)
    changed = [{**r, "id": "x" + r["id"]} if change == "ids" else {**r, "text": r["text"] + "!"} for r in records]

    def rewrite(stage, done, total=None):
        if stage == "align" and total is not None:
            _write(path, changed)

    config = Config(workers=1)
    with pytest.raises(InputError, match="changed while it was being scanned") as error:
        scan(read_paths([path], config), config, progress=rewrite)
    assert error.value.source == str(path) and error.value.line >= 1


def test_reread_gives_back_each_article_as_it_was_read(tmp_path):
    path = _write(tmp_path / "feed.jsonl", _corpus(5))
    config = Config()
    articles = list(read_paths([path], config))
    stubs = [dataclasses.replace(a, text="") for a in reversed(articles)]
    assert [a.text for a in reread(stubs, config)] == [a.text for a in reversed(articles)]
