"""Reading inputs, and every kind of bad input: a clear reason naming the file and line, and the
rest of the input still processed (or a clear error with strict)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from dedup import Article, Config, InputError, Skipped, read_paths, scan
from tests.conftest import DATA, SEED_A, write_jsonl

GOOD = "Officials said the new bridge across the river will open to traffic next spring after years of delay."


def read(*paths, **overrides):
    return list(read_paths([str(p) for p in paths], Config(**overrides)))


def only_skipped(records):
    return [r for r in records if isinstance(r, Skipped)]


def test_txt_header_becomes_metadata_and_is_not_text():
    article = next(r for r in read(DATA) if r.id == SEED_A)
    assert article.date == "2021-08-22" and article.section == "East Asia Pacific"
    assert article.title.startswith("US, South Korea Envoys")
    assert "date 2021" not in article.text


def test_jsonl_json_and_csv_read_the_same_fields(tmp_path):
    record = {"id": "x1", "text": GOOD, "title": "Bridge", "date": "2024-01-02", "url": "http://example.org/a"}
    write_jsonl(tmp_path / "a.jsonl", [record])
    (tmp_path / "b.json").write_text(json.dumps([{**record, "id": "x2"}]), encoding="utf-8")
    (tmp_path / "c.csv").write_text(f'id,text,date\nx3,"{GOOD}",2024-01-03\n', encoding="utf-8")
    articles = {a.id: a for a in read(tmp_path)}
    assert set(articles) == {"x1", "x2", "x3"}
    assert {a.text for a in articles.values()} == {GOOD}
    assert articles["x1"].url == "http://example.org/a" and articles["x3"].date == "2024-01-03"


def test_custom_field_names(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [{"guid": "g1", "body": GOOD}])
    [article] = read(tmp_path / "a.jsonl", id_field="guid", text_field="body")
    assert (article.id, article.text) == ("g1", GOOD)


def test_missing_id_falls_back_to_file_and_line(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": GOOD}])
    [article] = read(path)
    assert article.id == f"{path}:1"


def test_folder_is_read_recursively_in_sorted_order_and_other_files_are_reported(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text(GOOD, encoding="utf-8")
    records = read(tmp_path)
    assert [r.id for r in records if isinstance(r, Article)] == ["a.txt", "sub/b.txt"]
    [pdf] = only_skipped(records)
    assert pdf.code == "unsupported-type" and pdf.source.endswith("notes.pdf")


BAD_FILES = {
    "invalid-utf8": ("bad.txt", "ok line\n".encode() + b"caf\xe9\n", "not valid UTF-8", 2),
    "binary": ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary", None),
    "empty": ("empty.txt", b"   \n", "empty", None),
    "malformed-json": ("broken.json", b'[{"id": 1, "text": "x"', "not valid JSON", 1),
    "missing-column": ("no_text.csv", b"id,body\n1,hello\n", "no 'text' column", 1),
}


@pytest.mark.parametrize("code", sorted(BAD_FILES))
def test_bad_file_is_skipped_with_file_and_line_and_the_rest_is_processed(tmp_path, code):
    name, content, message, line = BAD_FILES[code]
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    result = scan(read_paths([tmp_path], Config()))
    [skipped] = result.skipped
    assert skipped.code == code and message in skipped.reason
    assert skipped.source.endswith(name) and skipped.line == line
    assert [a.id for a in result.articles] == ["good.txt"]
    assert result.stats["skipped_by_reason"] == {code: 1}
    assert any(name in note for note in result.notes)


def test_unreadable_file(tmp_path, monkeypatch):
    (tmp_path / "locked.txt").write_text(GOOD, encoding="utf-8")
    original = Path.read_bytes

    def refuse(self):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    [skipped] = read(tmp_path)
    assert skipped.code == "unreadable" and "Permission denied" in skipped.reason


def test_missing_path():
    [skipped] = read("no/such/folder")
    assert skipped.code == "missing" and skipped.source == "no/such/folder"


def test_malformed_jsonl_line_names_the_line_and_keeps_the_others(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'{"id": "1", "text": "%s"}\n{"id": 2, "text": \n{"id": "3", "text": "%s"}\n\xff\xfe\n' % (GOOD.encode(), GOOD.encode()))
    records = read(path)
    assert [r.id for r in records if isinstance(r, Article)] == ["1", "3"]
    assert [(s.code, s.line) for s in only_skipped(records)] == [("malformed-json", 2), ("invalid-utf8", 4)]


def test_jsonl_line_without_text(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "title": "no body"}, {"id": "2", "text": 42}])
    assert [(s.code, s.line, s.id) for s in only_skipped(read(path))] == [("missing-text", 1, "1"), ("missing-text", 2, "2")]


def test_duplicate_ids_keep_the_first_and_name_it(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "text": GOOD}, {"id": "1", "text": GOOD + " More."}])
    result = scan(read_paths([path], Config()))
    assert [a.text for a in result.articles] == [GOOD]
    [skipped] = result.skipped
    assert skipped.code == "duplicate-id" and f"{path}:1" in skipped.reason and skipped.source == f"{path}:2"


def test_an_article_of_a_few_words_is_counted_as_too_short():
    result = scan([{"id": "short", "text": "Just three words"}, {"id": "ok", "text": GOOD}])
    [skipped] = result.skipped
    assert skipped.code == "too-short" and "3 words" in skipped.reason
    assert result.stats["articles_read"] == 2 and result.stats["articles_processed"] == 1


def test_an_article_of_several_megabytes_is_skipped_with_a_reason_or_read_when_allowed():
    rng = random.Random(7)
    words = [f"w{n}" for n in range(5000)]
    filler = " ".join(rng.choice(words) for _ in range(500_000))  # about 3 MB of distinct text
    big = filler[: len(filler) // 2] + ". " + GOOD + " " + filler[len(filler) // 2 :]
    result = scan([{"id": "big", "text": big}, {"id": "ok", "text": GOOD}])
    [skipped] = result.skipped
    assert skipped.code == "too-long" and "--max-chars" in skipped.reason
    allowed = scan([{"id": "big", "text": big}, {"id": "ok", "text": GOOD}], max_chars=5_000_000)
    assert not allowed.skipped and [p.kind for p in allowed.pairs] == ["partial"]


def test_strict_turns_the_first_skip_into_an_error(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "text": GOOD}, {"id": "2"}])
    with pytest.raises(InputError, match=r"a\.jsonl:2: no 'text' field"):
        scan(read_paths([path], Config()), strict=True)


def test_library_accepts_objects_dicts_and_articles():
    class Story:
        def __init__(self, id, text):
            self.id, self.text = id, text

    result = scan([Story("o", GOOD), {"id": "d", "text": GOOD}, Article(id="a", text=GOOD), 42])
    assert sorted(a.id for a in result.articles) == ["a", "d", "o"]
    assert [s.code for s in result.skipped] == ["not-an-article"]
    assert [(p.a, p.b, p.kind) for p in result.pairs] == [("a", "d", "exact"), ("a", "o", "exact")]


def test_lone_surrogates_from_json_escapes_become_replacement_characters(tmp_path):
    """``"\\ud800"`` in JSON decodes to a lone surrogate that UTF-8 cannot encode: the text keeps
    its length (offsets unchanged) with U+FFFD in its place, and the report can be written."""
    path = tmp_path / "s.jsonl"
    line = json.dumps({"id": "x\ud800", "text": "Lone \ud800 marks. " + GOOD})  # ensure_ascii: an escape
    path.write_text(f"{line}\n{line.replace('x', 'y', 1)}\n", encoding="utf-8")
    result = scan(read_paths([str(path)], Config()))
    (pair,) = result.pairs
    assert (pair.a, pair.b) == ("x\ufffd", "y\ufffd")
    text = "Lone \ufffd marks. " + GOOD
    (passage,) = pair.passages
    assert passage.a_end == len(text) and passage.a_text == text[passage.a_start:passage.a_end]
    assert json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")
