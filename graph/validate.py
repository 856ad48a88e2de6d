"""SHACL validation of the dataset with pyshacl, reported in plain words."""
from __future__ import annotations

from dataclasses import dataclass

import rdflib
from pyoxigraph import RdfFormat, Store
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH

from collabgraph.ontology import NS, iris, ontology_graph, shapes_graph


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{iris.local_id(self.focus)}{where}: {self.message}"


def union_graph(store: Store) -> rdflib.Graph:
    """All named graphs merged into one rdflib graph (the data SHACL checks)."""
    dataset = rdflib.Dataset()
    dataset.parse(data=store.dump(format=RdfFormat.N_QUADS), format="nquads")
    merged = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        merged.add((s, p, o))
    return merged


def validate(store: Store) -> list[Violation]:
    """Every SHACL violation of the dataset, sorted; an empty list means it conforms."""
    data = union_graph(store)
    _, report, _ = shacl_validate(data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(),
                                  inference="none", abort_on_first=False, allow_warnings=True)
    out = set()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        out.add(Violation(str(focus), _short(path), str(message)))
    return sorted(out, key=str)


def _short(path) -> str | None:
    if path is None:
        return None
    text = str(path)
    return "cg:" + text[len(NS):] if text.startswith(NS) else text
