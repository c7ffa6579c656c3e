"""Reading articles from files, folders and standard input.

:func:`read_paths` yields :class:`~dedup.models.Article` records and, for everything it could not
use, :class:`~dedup.models.Skipped` records naming the file, line and reason, so that nothing is
lost silently. Formats, chosen by file extension:

``.txt``
    One article per file. An optional first line `` date YYYY-MM-DD <section>`` becomes the
    ``date`` and ``section`` and is not part of the text; the first non-empty line
    of the rest is the title. The id is the path relative to the folder given (or the path given).
``.jsonl`` / ``.ndjson`` (and ``-`` for standard input)
    One JSON object per line with ``id``, ``text`` and optional ``title``, ``date``, ``source``,
    ``url`` (the id and text field names are settings). A missing id becomes ``FILE:LINE``.
``.json``
    An array of such objects (or one object, or ``{"articles": [...]}``).
``.csv``
    A header row naming the columns; the same fields as JSONL.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from .config import Config
from .exceptions import InputError
from .models import METADATA_FIELDS, Article, Location, Skipped

__all__ = ["SUFFIXES", "read_paths", "reread", "to_article"]

SUFFIXES = {".txt": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}
STDIN = "-"
_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*(.*?)\s*$")
_SNIFF_BYTES = 8192
_SURROGATE = re.compile("[\ud800-\udfff]")

Record = Article | Skipped


def read_paths(paths: Iterable[str | Path], config: Config) -> Iterator[Record]:
    """Yield every article (and every skipped input) found under ``paths``, in a stable order.

    Folders are read recursively in sorted order; files with other extensions found inside a
    folder are reported as skipped files of kind ``file`` (they may be notes or images); a file
    named explicitly is read as text whatever its extension.
    """
    for path in paths:
        if str(path) == STDIN:
            yield from _read_jsonl_stream(sys.stdin.buffer, "<stdin>", config, seekable=False)
            continue
        path = Path(path)
        if path.is_dir():
            yield from _read_folder(path, config)
        elif path.exists():
            yield from _read_file(path, str(path), SUFFIXES.get(path.suffix.lower(), "txt"), config)
        else:
            yield Skipped(kind="file", source=str(path), reason="no such file or folder", code="missing")


def _read_folder(folder: Path, config: Config) -> Iterator[Record]:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue  # hidden files and folders (.git, .DS_Store) are not content
        fmt = SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            yield Skipped(kind="file", source=str(path), code="unsupported-type",
                          reason=f"not an article file (reads {', '.join(sorted(SUFFIXES))})")
        else:
            yield from _read_file(path, relative, fmt, config)


def _read_file(path: Path, file_id: str, fmt: str, config: Config) -> Iterator[Record]:
    source = str(path)
    if fmt == "jsonl":
        try:
            with path.open("rb") as stream:
                yield from _read_jsonl_stream(stream, source, config, seekable=True)
        except OSError as exc:
            yield _unreadable(source, exc)
        return
    data = _read_bytes(path)
    if isinstance(data, Skipped):
        yield data
        return
    text = _decode(data, source)
    if isinstance(text, Skipped):
        yield text
    elif fmt == "txt":
        yield _txt_article(text, file_id, source, Location(source, 0, len(data)))
    elif fmt == "json":
        yield from _json_articles(text, source, config)
    else:
        yield from _csv_articles(text, source, config)


def _unreadable(source: str, exc: OSError) -> Skipped:
    return Skipped(kind="file", source=source, code="unreadable", reason=f"cannot read: {exc.strerror or exc}")


def _read_bytes(path: Path) -> bytes | Skipped:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _unreadable(str(path), exc)
    if not data.strip():
        return Skipped(kind="file", source=str(path), code="empty", reason="empty file")
    if b"\x00" in data[:_SNIFF_BYTES]:
        return Skipped(kind="file", source=str(path), code="binary", reason="binary file (NUL bytes), not text")
    return data


def _decode(data: bytes, source: str, line_offset: int = 0) -> str | Skipped:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = line_offset + data.count(b"\n", 0, exc.start) + 1
        return Skipped(kind="file" if not line_offset else "article", source=source, line=line, code="invalid-utf8",
                       reason=f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8")


def _txt_article(text: str, file_id: str, source: str, location: Location | None) -> Article:
    meta: dict[str, Any] = {}
    first, newline, rest = text.partition("\n")
    header = _HEADER.match(first)
    if header:
        meta["date"] = header.group(1)
        meta["section"] = header.group(2) or None
        text = rest
    title = next((line.strip() for line in text.splitlines() if line.strip()), None)
    return Article(id=file_id, text=text, title=title[:200] if title else None, origin=source, location=location,
                   **meta)


def _read_jsonl_stream(stream: BinaryIO, source: str, config: Config, *, seekable: bool) -> Iterator[Record]:
    """Articles of a JSONL stream; those of a file (``seekable``) carry their :class:`Location`."""
    offset = 0
    for number, raw in enumerate(stream, start=1):
        start, offset = offset, offset + len(raw)
        if raw.strip():
            location = Location(source, start, len(raw), number) if seekable else None
            yield _jsonl_record(raw, source, number, config, location)


def _jsonl_record(raw: bytes, source: str, number: int, config: Config, location: Location | None) -> Record:
    line = _decode(raw, source, line_offset=number - 1)
    if isinstance(line, Skipped):
        return line
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Skipped(source=source, line=number, code="malformed-json", reason=f"not valid JSON: {exc.msg}")
    return to_article(record, config, source=source, line=number, location=location)


def reread(articles: list[Article], config: Config) -> list[Article]:
    """The articles with their texts, read again from their :class:`Location` where they have one
    (in file and offset order, each file opened once); articles without one are returned as they are.

    Raises :class:`InputError` naming the file and line when a record no longer holds the same
    article (the file changed during the scan) or cannot be read.
    """
    out = list(articles)
    located = sorted((a.location.path, a.location.offset, k) for k, a in enumerate(articles) if a.location)
    for path, group in itertools.groupby(located, key=lambda t: t[0]):
        try:
            with open(path, "rb") as stream:
                for _, _, k in group:
                    out[k] = _reread_one(stream, articles[k], config)
        except OSError as exc:
            raise InputError(f"cannot read it again: {exc.strerror or exc}; keep the input files in place "
                             "until the scan ends", source=path) from exc
    return out


def _reread_one(stream: BinaryIO, stub: Article, config: Config) -> Article:
    where = stub.location
    stream.seek(where.offset)
    raw = stream.read(where.size)
    if where.line is not None:
        article = _jsonl_record(raw, where.path, where.line, config, where)
    else:
        text = _decode(raw, where.path)
        article = text if isinstance(text, Skipped) else _txt_article(text, stub.id, where.path, where)
    if not isinstance(article, Article) or article.id != stub.id or len(raw) != where.size:
        raise InputError(f"the record of article {stub.id!r} changed while it was being scanned; scan again",
                         source=where.path, line=where.line)
    return article


def _json_articles(text: str, source: str, config: Config) -> Iterator[Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Skipped(kind="file", source=source, line=exc.lineno, code="malformed-json",
                      reason=f"not valid JSON: {exc.msg} (column {exc.colno})")
        return
    if isinstance(data, Mapping) and isinstance(data.get("articles"), list):
        data = data["articles"]
    records = data if isinstance(data, list) else [data]
    for number, record in enumerate(records, start=1):
        yield to_article(record, config, source=source, line=number, unit="record")


def _csv_articles(text: str, source: str, config: Config) -> Iterator[Record]:
    csv.field_size_limit(max(config.max_chars * 4, 1 << 20))
    reader = csv.DictReader(text.splitlines(keepends=True))
    columns = reader.fieldnames or []
    if config.text_field not in columns:
        yield Skipped(kind="file", source=source, line=1, code="missing-column",
                      reason=f"no {config.text_field!r} column (columns: {', '.join(columns) or 'none'}); "
                             f"name the text column with --text-field")
        return
    start = 2
    try:
        for row in reader:
            yield to_article(row, config, source=source, line=start)
            start = reader.line_num + 1
    except csv.Error as exc:
        yield Skipped(kind="file", source=source, line=reader.line_num, code="malformed-csv",
                      reason=f"malformed CSV: {exc}; the rest of the file was not read")


def to_article(record: Any, config: Config, *, source: str | None = None, line: int | None = None,
               unit: str = "line", location: Location | None = None) -> Article | Skipped:
    """Turn an :class:`Article`, a mapping or an object with ``id``/``text`` attributes into an Article.

    Returns a :class:`Skipped` record (never raises) when the record has no usable text.
    ``location`` is where the record can be read again (see :func:`reread`).
    """
    if isinstance(record, Article):
        return _encodable(record)
    where = None if source is None else (f"{source}:{line}" if unit == "line" else f"{source} {unit} {line}")
    fields = _fields(record, config)
    if fields is None:
        return Skipped(source=source, line=line, code="not-an-article",
                       reason=f"expected an object with a {config.text_field!r} field, got {type(record).__name__}")
    text = fields.get(config.text_field)
    raw_id = fields.get(config.id_field)
    article_id = str(raw_id) if raw_id not in (None, "") else (where or None)
    if not isinstance(text, str):
        what = "no" if text is None else f"a non-string ({type(text).__name__})"
        return Skipped(source=source, line=line, id=article_id, code="missing-text",
                       reason=f"{what} {config.text_field!r} field")
    if article_id is None:
        return Skipped(source=source, line=line, code="missing-id", reason=f"no {config.id_field!r} field")
    meta = {k: str(fields[k]) for k in METADATA_FIELDS if fields.get(k) not in (None, "")}
    return _encodable(Article(id=article_id, text=text, origin=where, location=location, **meta))


def _encodable(article: Article) -> Article:
    """The article with every lone surrogate (which JSON escapes such as ``"\\ud800"`` produce and
    UTF-8 cannot encode, so no report could be written) replaced by U+FFFD, one character for
    one, so that offsets into the text are unchanged.

    >>> _encodable(Article(id="a", text="x" + chr(0xD800) + "y")).text == "x\ufffdy"
    True
    """
    if all(_is_encodable(v) for v in (article.text, article.id)):
        return article
    return dataclasses.replace(article, text=_SURROGATE.sub("\ufffd", article.text),
                               id=_SURROGATE.sub("\ufffd", article.id))


def _is_encodable(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fields(record: Any, config: Config) -> Mapping[str, Any] | None:
    if isinstance(record, Mapping):
        return record
    if hasattr(record, config.text_field):
        names = (config.id_field, config.text_field, *METADATA_FIELDS)
        return {name: getattr(record, name, None) for name in names}
    return None
