"""The README's examples run as written, and its two commands are the ones CI runs."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import DATA, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_python_examples_run(code, tmp_path, monkeypatch, capsys):
    (tmp_path / "data").symlink_to(DATA)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})


def test_readme_opens_with_exactly_two_commands_and_ci_runs_the_test_one():
    commands = re.findall(r"^```\n(.*?)\n```", README.split("## ", 1)[0], flags=re.S | re.M)
    assert commands == ['pip install -e . && dedup scan data/', 'pip install -e ".[test]" && python -m pytest']
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet --disable-pip-version-check -e ".[test]"' in ci and "python -m pytest" in ci
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
