"""Accuracy benchmark: PAN 2013, Clough-Stevenson, Reuters-21578 and a generated news-reuse set."""
