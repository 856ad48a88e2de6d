"""Atomic and incremental builds, next to a running server and a real property graph.

* A `collabgraph build` killed with SIGKILL while it extracts leaves the graph the
  running server answers with exactly as it was (REST, SPARQL, export, Cypher),
  and no extraction worker behind.
* Killed while it syncs the property graph, it leaves the live FalkorDB graph
  whole (the previous projection), and the server resyncs on its next request.
* `--add FILE` and `--remove SOURCE` change only that source's named graph (and
  the derived graph computed from all of them), and in the property graph only
  what that source supported; removing it again restores the graph exactly.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
import redis
import yaml
from pyoxigraph import NamedNode
from reliability_support import REPO, clean_env, cypher, falkordb_servers, graph_size, kill_falkordb, serve

from collabgraph.graph import dataset
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.property import open_property_store
from collabgraph.graph.property.falkordb_store import GRAPH, META, STAGING
from collabgraph.ontology import iris

PARAGRAPH = ("The University of Westmarch and Westmarch City Council signed a memorandum of understanding "
             "on public health research, with the Westmarch NHS Foundation Trust as a partner. ")
DOC_A = ("Westmarch partnership news\n\nThe University of Westmarch and Westmarch City Council signed a memorandum "
         "of understanding on public health research. Professor Ada Quill, Pro-Vice-Chancellor for Research at the "
         "University of Westmarch, welcomed it.\n")
DOC_B = ("Eastmarch programme news\n\nThe University of Westmarch and Eastmarch NHS Foundation Trust are partners in "
         "the Eastmarch Health Determinants Research Collaboration, hosted by Eastmarch City Council. Dr Bram Tally, "
         "Director of Public Health at Eastmarch City Council, leads it.\n")
DOC_C = ("Northmarch news\n\nNorthmarch County Council and the University of Westmarch signed a memorandum of "
         "understanding on healthy ageing. Dr Cole Vance, Director of Public Health at Northmarch County Council, "
         "signed it.\n")
DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
ENTITY_IRI = re.compile(r"https://w3id\.org/collabgraph/id/(organisation|person|programme|agreement|theme)/")
ORGS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a cg:Organisation }"


def cli_build(*args, timeout: float = 120) -> subprocess.Popen:
    """`collabgraph build ...` as its own process (as a user runs it), output discarded."""
    return subprocess.Popen([sys.executable, "-m", "collabgraph.api", "build", *map(str, args)], env=clean_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)


def extraction_workers(pid: int, wait_s: float = 30) -> list[psutil.Process]:
    """The worker processes a running build has forked for extraction (waits until it has some)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        found = [c for c in psutil.Process(pid).children() if "build" in c.cmdline()]
        if found:
            return found
        time.sleep(0.01)
    return []


def served_state(url: str) -> dict:
    """What a user of the running server sees: REST, SPARQL, the export, the health's build and the property graph."""
    with httpx.Client(base_url=url, timeout=30) as http:
        nodes = cypher(url, "MATCH (n) RETURN properties(n) ORDER BY n.iri").json()["rows"]
        edges = cypher(url, "MATCH (a)-[r]->(b) RETURN a.iri, type(r), b.iri ORDER BY a.iri, type(r), b.iri").json()["rows"]
        return {"organisations": http.get("/organisations", params={"limit": 1000}).json(),
                "sparql": http.get("/sparql", params={"query": ORGS}).json(),
                "export": http.get("/export/nq").text,
                "build": http.get("/health").json()["stores"]["rdf"]["detail"]["build"],
                "nodes": nodes, "edges": edges}


def big_register(folder: Path, organisations: int = 1000, programmes: int = 100, partners: int = 8) -> Path:
    """A sources folder whose register alone makes a property graph large enough to take a while to load."""
    register = folder / "register"
    register.mkdir(parents=True)
    shutil.copy(BUNDLED_DATA / "register" / "themes.yaml", register)
    orgs = [{"name": f"Testshire Research Unit {i:05d}", "type": "ResearchCentre"} for i in range(organisations)]
    progs = [{"name": f"Testshire Programme {j:04d}",
              "partners": [orgs[(j * partners + k) % organisations]["name"] for k in range(partners)]}
             for j in range(programmes)]
    (register / "organisations.yaml").write_text(yaml.safe_dump({"organisations": orgs}))
    (register / "programmes.yaml").write_text(yaml.safe_dump({"programmes": progs}))
    return folder


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    return big_register(tmp_path_factory.mktemp("big") / "sources")


@pytest.fixture
def root(tmp_path):
    data = tmp_path / "d"
    build(data, [BUNDLED_DATA])
    yield data
    kill_falkordb(data)


# ------------------------------------------------------------------------- atomic builds

def test_a_build_killed_while_extracting_leaves_the_served_graph_unchanged(root, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_DATA / "register", corpus / "register")
    (corpus / "docs").mkdir()
    for i in range(600):
        (corpus / "docs" / f"doc{i:04d}.txt").write_text(f"Westmarch news {i}\n\n" + PARAGRAPH * 20)
    with serve(root, tmp_path / "logs") as served:
        before = served_state(served.url)
        proc = cli_build(corpus, "--data-dir", root)
        try:
            deadline = time.monotonic() + 60
            while len(list((root / "builds").iterdir())) < 2 and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(0.3)
            workers = extraction_workers(proc.pid)
            assert proc.poll() is None, "the build finished before it could be killed; make the corpus larger"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert workers, "the build should extract on worker processes"
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, "extraction workers outlived the killed build"
        assert served_state(served.url) == before

        (tmp_path / "late.txt").write_text(DOC_C)  # the next build after the killed one is served, without a restart
        build(root, [tmp_path / "late.txt"], add=True)
        found = httpx.get(served.url + "/organisations", params={"q": "Northmarch"}).json()
        assert found["total"] == 1 and served_state(served.url)["build"] != before["build"]


def test_a_build_killed_during_the_property_graph_sync_leaves_the_live_graph_whole(root, big, tmp_path):
    with serve(root, tmp_path / "logs") as served:
        size = graph_size(served.url)  # the server syncs the property graph of the first build
        db = redis.Redis(unix_socket_path=str(root.resolve() / "falkordb" / "falkordb.sock"), decode_responses=True)
        digest = db.hget(META, "digest")
        proc = cli_build(big, "--data-dir", root)
        try:
            deadline = time.monotonic() + 120
            while not db.exists(STAGING):  # the build is loading its projection into the staging graph
                assert proc.poll() is None, "the build ended before its sync was seen"
                assert time.monotonic() < deadline, "the build's sync never started"
                time.sleep(0.001)
            db.execute_command("CLIENT", "PAUSE", "10000", "WRITE")  # hold it mid-load, then kill it there
            assert db.exists(STAGING), "the sync finished before the build could be held"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        finally:
            db.execute_command("CLIENT", "UNPAUSE")
            if proc.poll() is None:
                proc.kill()
        assert db.exists(STAGING)  # killed in the middle of the load
        assert db.hget(META, "digest") == digest
        graph = db.execute_command("GRAPH.RO_QUERY", GRAPH, "MATCH (n) RETURN count(n)")
        assert graph[1][0][0] == size[0]  # the live graph is still the whole previous projection

        # The RDF build had finished and became current: the server's next Cypher request syncs to it.
        entities = dataset.rows(dataset.query(dataset.open_store(root), "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { "
                                "?x a ?k VALUES ?k { cg:Organisation cg:Person cg:Programme cg:Agreement cg:Theme } }"))[1]
        assert graph_size(served.url)[0] == entities[0]["n"] > size[0]
        assert not db.exists(STAGING)
        db.close()


def test_a_build_killed_while_it_runs_its_own_falkordb_leaves_no_server_behind(root, big):
    proc = cli_build(big, "--data-dir", root)
    pidfile = root.resolve() / "falkordb" / "falkordb.pid"
    try:
        deadline = time.monotonic() + 120
        while not falkordb_servers(root):
            assert proc.poll() is None and time.monotonic() < deadline, "the build ended before it started FalkorDB"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert pidfile.exists()
    later = subprocess.run([sys.executable, "-m", "collabgraph.api", "query", "cypher", "MATCH (n) RETURN count(n) AS n",
                            "--data-dir", str(root)], env=clean_env(), capture_output=True, text=True, cwd=REPO,
                           timeout=120)
    assert later.returncode == 0, later.stderr
    assert falkordb_servers(root) == []  # whoever used it last stopped it: no server outlives its users


# ------------------------------------------------------------------------- incremental builds

def graphs(root: Path) -> dict[str, set[str]]:
    """Every named graph of the current build, as its set of quads in N-Quads form."""
    store = dataset.open_store(root)
    return {g: {str(q) for q in store.quads_for_pattern(None, None, None, NamedNode(g))}
            for g in dataset.graph_names(store)}


def property_graph(ps) -> tuple[dict[str, dict], set[tuple]]:
    """Every node (iri -> labels and properties) and every relationship (start, type, properties, end)."""
    _, nodes = ps.query("MATCH (n) RETURN n.iri AS iri, labels(n) AS labels, properties(n) AS props", limit=100_000)
    _, edges = ps.query("MATCH (a)-[r]->(b) RETURN a.iri AS a, type(r) AS t, properties(r) AS p, b.iri AS b",
                        limit=100_000)
    return ({n["iri"]: {"labels": sorted(n["labels"]), **n["props"]} for n in nodes},
            {(e["a"], e["t"], repr(sorted(e["p"].items())), e["b"]) for e in edges})


def entities_in(quads: set[str]) -> set[str]:
    """The entities (organisations, people, programmes, agreements, themes) a graph names (prov:wasDerivedFrom)."""
    subjects = {q.split(" ", 1)[0].strip("<>") for q in quads if f" <{DERIVED_FROM}> " in q}
    return {s for s in subjects if ENTITY_IRI.match(s)}


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(BUNDLED_DATA / "register", folder / "register")
    (folder / "docs").mkdir()
    (folder / "docs" / "a.txt").write_text(DOC_A)
    (folder / "docs" / "b.txt").write_text(DOC_B)
    (tmp_path / "c.txt").write_text(DOC_C)
    return folder


def test_add_and_remove_change_only_that_source_in_both_graphs(corpus, tmp_path, cli):
    root = tmp_path / "d"
    with open_property_store(root) as ps:  # started here, so every build below syncs into this one server
        assert cli("build", corpus, "--data-dir", root).exit_code == 0
        rdf0, (nodes0, edges0) = graphs(root), property_graph(ps)
        export0 = cli("export", "--format", "nquads", "--data-dir", root).stdout

        added = cli("build", tmp_path / "c.txt", "--add", "--data-dir", root)
        assert added.exit_code == 0, added.output
        rdf1, (nodes1, edges1) = graphs(root), property_graph(ps)
        graph_c = iris.source_graph_iri("c.txt")
        assert set(rdf1) == set(rdf0) | {graph_c}
        for g in rdf0:
            if g != iris.DERIVED_GRAPH:
                assert rdf1[g] == rdf0[g], f"{g} changed although only c.txt was added"
        new_nodes = set(nodes1) - set(nodes0)
        assert new_nodes and set(nodes0) <= set(nodes1)
        assert new_nodes == entities_in(rdf1[graph_c]) - set().union(*(entities_in(q) for q in rdf0.values()))
        untouched = set(nodes0) - entities_in(rdf1[graph_c])
        assert untouched and all(nodes1[i] == nodes0[i] for i in untouched)
        assert edges0 <= edges1 and edges1 - edges0
        shared = iris.entity_iri("Organisation", "University of Westmarch")
        assert graph_c in nodes1[shared]["sources"] and shared in nodes0

        removed = cli("build", "--remove", "c.txt", "--data-dir", root)
        assert removed.exit_code == 0, removed.output
        assert graphs(root) == rdf0  # every graph, the derived one included, as it was
        assert cli("export", "--format", "nquads", "--data-dir", root).stdout == export0
        assert property_graph(ps) == (nodes0, edges0)

        # Removing a source whose entities other sources also state keeps those entities, with their other sources.
        graph_b = iris.source_graph_iri("corpus/docs/b.txt")
        removed = cli("build", "--remove", "corpus/docs/b.txt", "--data-dir", root)
        assert removed.exit_code == 0, removed.output
        rdf2, (nodes2, _) = graphs(root), property_graph(ps)
        assert set(rdf2) == set(rdf0) - {graph_b}
        assert all(rdf2[g] == rdf0[g] for g in rdf2 if g != iris.DERIVED_GRAPH)
        only_b = entities_in(rdf0[graph_b]) - set().union(*(entities_in(rdf0[g]) for g in rdf0 if g != graph_b))
        assert only_b and not only_b & set(nodes2)
        assert set(nodes2) == set(nodes0) - only_b
        assert shared in nodes2 and graph_b not in nodes2[shared]["sources"]
        assert nodes2[shared]["sources"] == [g for g in nodes0[shared]["sources"] if g != graph_b]
