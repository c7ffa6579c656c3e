"""The command line, in-process with typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json

import pytest
import typer
from typer.testing import CliRunner

from dedup.cli import app
from tests.conftest import DATA, SEED_A, SEED_B, write_jsonl

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def test_scan_data_prints_the_seed_pair_with_its_passages(seed_passages):
    result = run("scan", DATA, "--format", "table")
    assert result.exit_code == 0, result.output
    assert "1 duplicate pairs" in result.output and f"{seed_passages} shared passages" in result.output
    assert "Sung Kim arrived in Seoul" in result.output


def test_scan_json_report_has_the_agreed_names():
    result = run("scan", DATA, "--format", "json")
    report = json.loads(result.stdout)
    assert {"params", "stats", "articles", "pairs", "clusters", "passage_clusters"} <= set(report)
    [pair] = report["pairs"]
    assert {"a", "b", "kind", "jaccard", "containment_a", "containment_b", "passages"} <= set(pair)
    assert set(pair["passages"][0]) >= {"a_start", "a_end", "b_start", "b_end", "a_text", "b_text", "similarity"}
    assert report["params"]["shingle_size"] == 5 and report["stats"]["articles_processed"] == 2


def test_default_format_is_json_when_piped():
    assert json.loads(run("scan", DATA).stdout)["stats"]["pairs"] == 1


def test_settings_flags_reach_the_config():
    report = json.loads(run("scan", DATA, "--shingle-size", "4", "--min-passage-words", "30", "--seed", "7").stdout)
    assert (report["params"]["shingle_size"], report["params"]["seed"]) == (4, 7)
    assert all(len(p["a_text"].split()) >= 30 for pair in report["pairs"] for p in pair["passages"])


def test_a_zero_setting_is_a_setting_not_the_default():
    report = json.loads(run("scan", DATA, "--paraphrase-min-words", "0", "--min-fragment-words", "0").stdout)
    assert (report["params"]["paraphrase_min_words"], report["params"]["min_fragment_words"]) == (0, 0)


def test_csv_has_one_row_per_passage(tmp_path, seed_passages):
    out = tmp_path / "report.csv"
    assert run("scan", DATA, "--format", "csv", "--output", out).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == seed_passages and {r["a"] for r in rows} == {SEED_A}


def test_jsonl_ends_with_a_summary(tmp_path):
    lines = [json.loads(line) for line in run("scan", DATA, "-f", "jsonl").stdout.splitlines()]
    assert [line["type"] for line in lines] == ["pair", "cluster"] + ["passage_cluster"] * (len(lines) - 3) + ["summary"]


def test_stdin_jsonl(seeds, seed_passages):
    records = "".join(json.dumps({"id": a.id, "text": a.text}) + "\n" for a in seeds)
    report = json.loads(run("scan", "-", input=records).stdout)
    assert report["stats"]["passages"] == seed_passages


def test_compare_shows_passages_side_by_side(seed_passages):
    result = run("compare", DATA / SEED_A, DATA / SEED_B, "--format", "table")
    assert result.exit_code == 0 and f"{seed_passages} passage(s)" in result.output


def test_compare_json(seed_passages):
    pair = json.loads(run("compare", DATA / SEED_A, DATA / SEED_B, "--format", "json").stdout)
    assert pair["kind"] == "partial" and len(pair["passages"]) == seed_passages


def test_bad_setting_is_one_clear_line_and_exit_1():
    result = run("scan", DATA, "--threshold", "1.5")
    assert result.exit_code == 1
    assert result.stderr.strip() == "dedup: error: threshold must be in (0, 1], got 1.5"


def test_strict_bad_input_names_file_and_line_without_traceback(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "text": "x " * 20}])
    with path.open("a") as f:
        f.write("{not json\n")
    result = run("scan", path, "--strict")
    assert result.exit_code == 1
    assert f"{path}:2: not valid JSON" in result.stderr and "Traceback" not in result.output


def test_skipped_input_is_reported_on_stderr_but_is_not_an_error(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = run("scan", tmp_path, DATA, "-f", "json")
    assert result.exit_code == 0 and "empty.txt: empty file" in result.stderr


def test_compare_refuses_a_file_of_many_articles(tmp_path):
    path = write_jsonl(tmp_path / "many.jsonl", [{"id": str(i), "text": "word " * 10} for i in range(3)])
    result = run("compare", path, DATA / SEED_A)
    assert result.exit_code == 1 and "holds 3 articles" in result.stderr


def test_usage_errors_exit_2():
    assert run("scan").exit_code == 2
    assert run("scan", DATA, "--format", "xml").exit_code == 2
    assert run("scan", DATA, "--no-such-flag").exit_code == 2


def _commands(group: typer.Typer, prefix=()):
    for info in group.registered_commands:
        yield (*prefix, info.name)
    for sub in group.registered_groups:
        yield from _commands(sub.typer_instance, (*prefix, sub.name))


@pytest.mark.parametrize("command", list(_commands(app)), ids=" ".join)
def test_every_command_has_help_with_an_example(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output


def test_sigterm_ends_a_scan_and_removes_its_temporary_files(tmp_path):
    """A scan killed with SIGTERM (reading standard input that is still open) exits with 143
    and leaves no temporary folder behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "dedup", "scan", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    proc.stdin.write(b'{"id": "a", "text": "The central bank raised its main interest rate on Tuesday."}\n')
    proc.stdin.flush()
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("dedup-scan-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob("dedup-scan-*")), "the scan should have made its temporary folder"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err.decode()
    assert not list(tmp_path.glob("dedup-scan-*"))
