"""``python -m dedup`` runs the command-line interface."""

from .cli import app

app(prog_name="dedup")
