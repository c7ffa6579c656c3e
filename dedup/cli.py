"""The ``dedup`` command line: parse, call the library, render, and turn errors into messages.

This is the only module that imports typer. Detection settings are generated from the fields
of :class:`~dedup.config.Config` (flag ``--shingle-size`` for field ``shingle_size``), with their
help taken from its docstring, so the CLI and the library share one vocabulary.
"""

import dataclasses
import functools
import inspect
import re
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional, TextIO

import typer

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
        settings = {n: v for n, v in given.items() if v not in (None, False)}
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


def _choose_format(fmt: str | None, output: Path | None) -> str:
    if fmt is None:
        return "table" if output is None and sys.stdout.isatty() else "json"
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


@contextmanager
def _destination(output: Path | None):
    if output is None:
        yield sys.stdout
    else:
        with output.open("w", encoding="utf-8", newline="") as handle:
            yield handle


def _warn_skipped(skipped: tuple[Skipped, ...] | list[Skipped], out: TextIO = sys.stderr) -> None:
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
    with _errors_as_messages():
        config = resolve(None, **(settings or {}))
        result = scan(read_paths(paths, config), config)
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
