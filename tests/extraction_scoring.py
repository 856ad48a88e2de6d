"""Shared by the extraction tests: extract a folder of documents and score it against gold files."""
from __future__ import annotations

from pathlib import Path

from collabgraph.loaders.evaluate import Score, gold_for, load_gold, score_document
from collabgraph.loaders.output import document_json
from collabgraph.loaders.pipeline import extract_documents
from collabgraph.loaders.register import Register
from collabgraph.loaders.sources import discover


def score_folder(documents: Path, gold: Path, register: Register | None) -> Score:
    total = Score()
    for result in extract_documents(discover([documents]).documents, register):
        assert result.error is None, result.error
        gold_file = gold_for(Path(result.source.path), gold)
        if gold_file is None:
            continue
        doc = document_json(result.source.path, result.source.title, result.source.date, result.extraction)
        total.add(score_document(doc, load_gold(gold_file)))
    return total


def f1(score: Score, key: str) -> float:
    return score.table()[key]["f1"]
