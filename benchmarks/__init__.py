"""Benchmarks for dedup: accuracy on labelled corpora, speed against peer pipelines, index throughput.

Run them all with ``python -m benchmarks``; one suite with ``python -m benchmarks accuracy``.
"""
