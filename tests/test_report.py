"""Renderers write what the report holds, in each format."""

from __future__ import annotations

import csv
import io
import json

from dedup import scan
from dedup.report import FORMATS, render


def test_every_format_renders_the_seed_report(seeds):
    result = scan(seeds)
    outputs = {}
    for fmt in FORMATS:
        out = io.StringIO()
        render(result, out, fmt)
        outputs[fmt] = out.getvalue()
    assert json.loads(outputs["json"]) == json.loads(json.dumps(result.to_dict()))
    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert [int(r["a_start"]) for r in rows] == [p.a_start for p in result.pairs[0].passages]
    assert json.loads(outputs["jsonl"].splitlines()[0])["passages"][0]["a_text"] == result.pairs[0].passages[0].a_text
    assert f"{len(result.pairs[0].passages)} shared passages" in outputs["table"]
