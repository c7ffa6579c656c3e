"""The ``dedup`` command line: parse, call the library, render, and turn errors into messages.

This is the only module that imports typer. Detection settings are generated from the fields
of :class:`~dedup.config.Config` (flag ``--shingle-size`` for field ``shingle_size``), with their
help taken from its docstring, so the CLI and the library share one vocabulary.
"""

import dataclasses
import functools
import inspect
import os
import re
import signal
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional, TextIO

import typer
from rich.console import Console

from . import __version__
from .config import Config, resolve
from .detect import compare, scan
from .exceptions import DedupError, InputError
from .io import read_paths
from .models import Article, Skipped
from .report import FORMATS, render, render_pair

app = typer.Typer(help="Find near-duplicate and partly copied news articles, and the passages they share.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

_PANEL = "Detection settings"
_MAX_WARNINGS = 20
FormatOption = Annotated[
    Optional[str],
    typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)} (default: table on a terminal, json otherwise)."),
]
OutputOption = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to FILE instead of standard output.")]


def _field_help() -> dict[str, str]:
    """Each Config field's description, from the numpydoc ``Parameters`` section of its docstring."""
    doc = inspect.getdoc(Config) or ""
    helps, names = {}, []
    for line in doc.split("Parameters\n----------\n", 1)[-1].split("\n\nExamples", 1)[0].splitlines():
        header = re.match(r"^([\w, ]+) : .*?(default .*)?$", line)
        if header and not line.startswith(" "):
            names = [n.strip() for n in header.group(1).split(",")]
            for name in names:
                helps[name] = f"({header.group(2) or ''}) " if header.group(2) else ""
        elif names:
            for name in names:
                helps[name] += line.strip() + " "
    return {name: text.strip() for name, text in helps.items()}


def with_config_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add one option per Config field to a command; it receives them as ``settings`` (only those given)."""
    helps = _field_help()
    fields = [f for f in dataclasses.fields(Config)]
    extra = []
    for f in fields:
        flag = "--" + f.name.replace("_", "-")
        if f.type in ("bool", bool):
            option = typer.Option(flag, help=helps.get(f.name, ""), rich_help_panel=_PANEL)
            extra.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=False,
                                           annotation=Annotated[bool, option]))
        else:
            kind = {"int": int, "float": float, "str": str}[str(f.type)]
            option = typer.Option(flag, help=helps.get(f.name, ""), rich_help_panel=_PANEL, show_default=False)
            extra.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                           annotation=Annotated[Optional[kind], option]))
    names = [f.name for f in fields]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {n: kwargs.pop(n, None) for n in names}
        # `is`, not `in`: 0 == False, and 0 is a real setting (--paraphrase-min-words 0 turns it off).
        settings = {n: v for n, v in given.items() if v is not None and v is not False}
        return command(*args, settings=settings, **kwargs)

    own = [p for p in inspect.signature(command).parameters.values() if p.name != "settings"]
    wrapper.__signature__ = inspect.Signature(own + extra)  # type: ignore[attr-defined]
    return wrapper


def _fail(message: str) -> typer.Exit:
    typer.echo(f"dedup: error: {message}", err=True)
    return typer.Exit(1)


@contextmanager
def _errors_as_messages():
    """Library errors (and unwritable output) become one line on stderr and exit code 1."""
    try:
        yield
    except DedupError as exc:
        raise _fail(str(exc)) from None
    except BrokenPipeError:
        sys.stderr.close()  # the reader (e.g. `head`) went away: not an error worth a message
        raise typer.Exit(0) from None
    except OSError as exc:
        raise _fail(f"{exc.filename or ''}: {exc.strerror or exc}") from None


@contextmanager
def _terminate_as_exit():
    """SIGTERM (``kill``, a job scheduler's time limit) ends the command as an exception would, so
    that the scan's temporary files are removed and its workers stopped. Worker processes forked
    meanwhile keep the default action: the pool stops them with it."""
    me = os.getpid()

    def stop(signum, frame):
        if os.getpid() != me:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _choose_format(fmt: str | None, output: Path | None) -> str:
    if fmt is None:
        return "table" if output is None and sys.stdout.isatty() else "json"
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


@contextmanager
def _progress_bar():
    """A progress hook for :func:`dedup.scan`: a bar on a terminal, nothing when stderr is piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
        tasks = {"sign": bar.add_task("signing articles", total=None),
                 "align": bar.add_task("aligning pairs", total=None)}

        def advance(stage: str, done: int, total: int | None = None) -> None:
            bar.update(tasks[stage], advance=done, total=total)

        yield advance


@contextmanager
def _destination(output: Path | None):
    if output is None:
        yield sys.stdout
    else:
        with output.open("w", encoding="utf-8", newline="") as handle:
            yield handle


def _warn_skipped(skipped: tuple[Skipped, ...] | list[Skipped]) -> None:
    for item in list(skipped)[:_MAX_WARNINGS]:
        typer.echo(f"dedup: skipped {item.describe()}", err=True)
    if len(skipped) > _MAX_WARNINGS:
        typer.echo(f"dedup: ... and {len(skipped) - _MAX_WARNINGS} more skipped (all are listed in the report)", err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dedup {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False) -> None:
    """Find near-duplicate and partly copied news articles, and the passages they share."""


@app.command("scan")
@with_config_options
def scan_command(
    paths: Annotated[list[str], typer.Argument(help="Files or folders of articles (.txt, .jsonl, .json, .csv); - reads JSONL from standard input.", show_default=False)],
    fmt: FormatOption = None,
    output: OutputOption = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """Report every pair of articles that share text, the shared passages, and clusters.

    Example: dedup scan data/ --format json --output report.json
    """
    fmt = _choose_format(fmt, output)
    with _errors_as_messages(), _terminate_as_exit():
        config = resolve(None, **(settings or {}))
        with _progress_bar() as progress:
            result = scan(read_paths(paths, config), config, progress=progress)
        _warn_skipped(result.skipped)
        with _destination(output) as out:
            render(result, out, fmt)


def _single_article(path: str, config: Config) -> Article:
    records = list(read_paths([path], config))
    articles = [r for r in records if isinstance(r, Article)]
    problems = [r for r in records if isinstance(r, Skipped)]
    if problems and not articles:
        raise InputError(problems[0].reason, source=problems[0].source or path, line=problems[0].line)
    if len(articles) != 1:
        raise InputError(f"holds {len(articles)} articles; compare takes one article per file (use scan for many)", source=path)
    return articles[0]


@app.command("compare")
@with_config_options
def compare_command(
    a: Annotated[str, typer.Argument(help="The first article (a file holding one article).", show_default=False)],
    b: Annotated[str, typer.Argument(help="The second article.", show_default=False)],
    fmt: FormatOption = None,
    output: OutputOption = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """Compare two articles and show their shared passages side by side.

    Example: dedup compare data/000_159d068078cb091f.txt data/002_03f42af68fe181a5.txt
    """
    fmt = _choose_format(fmt, output)
    with _errors_as_messages():
        config = resolve(None, **(settings or {}))
        pair = compare(_single_article(a, config), _single_article(b, config), config)
        with _destination(output) as out:
            render_pair(pair, out, fmt, a=a, b=b)


# ---------------------------------------------------------------------------------------------
# dedup index ...: the persistent index (dedup.index.DedupIndex). Appended section; the commands
# parse, call the library, render, as above.
# ---------------------------------------------------------------------------------------------

index_app = typer.Typer(help="A persistent duplicate index (an SQLite file, or a redis:// URL shared by workers).",
                        no_args_is_help=True)
app.add_typer(index_app, name="index")

IndexArgument = Annotated[str, typer.Argument(help="The index: a file path (SQLite, created if missing) or redis://host:port/db.",
                                              show_default=False)]
PathsArgument = Annotated[list[str], typer.Argument(help="Files or folders of articles (.txt, .jsonl, .json, .csv); - reads JSONL from standard input.",
                                                    show_default=False)]
_QUERY_FORMATS = ("table", "json", "jsonl")


def _open_index(location: str, settings: dict[str, Any], *, create: bool):
    from .index import DedupIndex

    return DedupIndex(location, **settings, create=create) if settings else DedupIndex(location, create=create)


@index_app.command("add")
@with_config_options
def index_add_command(
    index: IndexArgument,
    paths: PathsArgument,
    on_conflict: Annotated[str, typer.Option("--on-conflict", help="An id already stored: replace (update it), skip, or error.")] = "replace",
    settings: dict[str, Any] | None = None,
) -> None:
    """Add articles to the index (creating it with these settings if it does not exist).

    Example: dedup index add news.db data/ --on-conflict skip
    """
    with _errors_as_messages():
        with _open_index(index, settings or {}, create=True) as opened:
            result = opened.add_many(read_paths(paths, opened.config), on_conflict=on_conflict)
        _warn_skipped(result.skipped)
        typer.echo(f"{result.added} added, {result.replaced} replaced, {result.kept} kept, "
                   f"{len(result.skipped)} skipped; {sum(map(len, result.matches.values()))} match(es) with earlier articles",
                   err=True)


@index_app.command("query")
@with_config_options
def index_query_command(
    index: IndexArgument,
    paths: PathsArgument,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="Output format: table, json, jsonl (default: table on a terminal, json otherwise).")] = None,
    output: OutputOption = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """Find the stored articles that share text with each given article (nothing is stored).

    Example: dedup index query news.db incoming.jsonl --format jsonl
    """
    fmt = fmt or ("table" if output is None and sys.stdout.isatty() else "json")
    if fmt not in _QUERY_FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(_QUERY_FORMATS)}", param_hint="--format")
    with _errors_as_messages():
        with _open_index(index, settings or {}, create=False) as opened:
            results, skipped = [], []
            for record in read_paths(paths, opened.config):
                if isinstance(record, Skipped):
                    skipped.append(record)
                    continue
                try:
                    results.append({"article": record.id, "matches": [m.to_dict() for m in opened.query(record)]})
                except InputError as exc:
                    skipped.append(Skipped(id=record.id, source=exc.source, line=exc.line, reason=exc.reason))
        _warn_skipped(skipped)
        with _destination(output) as out:
            _render_query(results, out, fmt)


def _render_query(results: list[dict[str, Any]], out: TextIO, fmt: str) -> None:
    import json

    if fmt == "json":
        out.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "jsonl":
        for record in results:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{len(results)} article(s) queried", title_justify="left")
        for name in ("article", "stored", "kind", "jaccard", "contained a", "contained b", "passages"):
            table.add_column(name, justify="left" if name in ("article", "stored", "kind") else "right")
        for record in results:
            if not record["matches"]:
                table.add_row(record["article"], "-", "no match", "", "", "", "")
            for m in record["matches"]:
                table.add_row(record["article"], m["id"], m["kind"], f"{m['jaccard']:.2f}", f"{m['containment_a']:.2f}",
                              f"{m['containment_b']:.2f}", str(len(m["passages"])))
        Console(file=out, width=max(100, Console(file=out).width), highlight=False).print(table)


@index_app.command("remove")
def index_remove_command(
    index: IndexArgument,
    ids: Annotated[list[str], typer.Argument(help="Ids of the articles to remove.", show_default=False)],
) -> None:
    """Remove articles from the index by id; ids not found are named on stderr.

    Example: dedup index remove news.db 000_159d068078cb091f.txt
    """
    with _errors_as_messages():
        with _open_index(index, {}, create=False) as opened:
            missing = [i for i in ids if not opened.remove(i)]
        for article_id in missing:
            typer.echo(f"dedup: not in the index: {article_id}", err=True)
        typer.echo(f"{len(ids) - len(missing)} removed", err=True)


@index_app.command("stats")
def index_stats_command(index: IndexArgument) -> None:
    """Show how many articles the index holds and the settings it was built with (JSON).

    Example: dedup index stats redis://localhost:6379/0
    """
    import json

    with _errors_as_messages():
        with _open_index(index, {}, create=False) as opened:
            typer.echo(json.dumps(opened.stats(), indent=2))
