"""Red-team findings on the build, the CLI, the register and extraction bounds (issue 12), each reproduced
against the real CLI (`python -m collabgraph.api`, as a user runs it), the real Oxigraph store and the real server.

* a name thousands of characters long (finding 4): names, aliases and IRIs are bounded;
* super-linear extraction and no per-document limit (finding 5): long tokens are broken, a document has a
  time budget after which it is skipped with one line, and the build goes on;
* no build lock (finding 8): two concurrent `build --add` both land;
* symlinks and absolute paths (finding 10): a link out of the source folder is not read, and no answer holds
  the machine's paths;
* register YAML (finding 11): aliases, deep nesting, duplicate keys and impossible dates are `file:line` errors;
* operator faults (finding 12): a full or read-only data directory gives one `error:` line (CLI) or 503 (server).
  Both use a real file system, a small tmpfs mounted for the test (root can write through chmod, not through a
  read-only mount); without permission to mount, those tests skip saying so.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from reliability_support import REPO, clean_env, falkordb_servers, kill_falkordb, serve

from collabgraph.graph.build import build
from collabgraph.graph.dataset import open_store
from collabgraph.graph.export import export_rdf
from collabgraph.loaders.limits import MAX_NAME_CHARS, MAX_NAME_WORDS, SEGMENT_CHARS
from collabgraph.loaders.pipeline import extract_text, segments
from collabgraph.ontology import iris

PARAGRAPH = ("News from Westmarch\n\nThe University of Westmarch and Westmarch City Council signed a memorandum "
             "of understanding on public health research. Dr Ada Quill, Director of Public Health at Westmarch City "
             "Council, welcomed it.\n")
OTHER = ("Eastmarch news\n\nEastmarch NHS Foundation Trust and the University of Westmarch are partners in the "
         "Eastmarch Health Determinants Research Collaboration, hosted by Eastmarch City Council.\n")
PASSWD_LINE = re.compile(r"root:[^:\n]*:0:0")


def collabgraph(*args, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """`collabgraph ...` as its own process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "collabgraph.api", *map(str, args)], env=clean_env(**(env or {})),
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


def built(data: Path, *paths: Path) -> Path:
    """A dataset to attack, built in this process (the step under test runs the real CLI)."""
    build(data, list(paths), workers=1)
    return data


def nquads(data: Path) -> bytes:
    """The dataset's sorted N-Quads, read in this process and let go of at once."""
    store = open_store(data)
    try:
        return export_rdf(store, "nquads")
    finally:
        del store


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def one_line_error(result: subprocess.CompletedProcess, *names: str) -> str:
    """The command failed with exactly one line, `error: ...`, naming each of ``names``, and no traceback."""
    assert result.returncode != 0, result.stdout + result.stderr
    lines = error_lines(result.stderr)
    assert "Traceback" not in result.stderr and len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- finding 4: names are words, not paragraphs

def test_a_run_of_thousands_of_letters_is_not_a_name(tmp_path):
    doc = write(tmp_path / "docs" / "long.txt", "The University of Z" + "z" * 8000 +
                " and De Montfort University signed a memorandum of understanding.\n")
    result = collabgraph("extract", doc, "--format", "json")
    assert result.returncode == 0, result.stderr
    (found,) = json.loads(result.stdout)["documents"]
    names = [e["name"] for e in found["entities"]] + [a for e in found["entities"] for a in e["aliases"]]
    assert "De Montfort University" in names
    assert all(len(n) <= MAX_NAME_CHARS and len(n.split()) <= MAX_NAME_WORDS for n in names), max(names, key=len)[:80]
    assert all(len(e["id"]) <= len(iris.ID) + len("organisation/") + iris.MAX_KEY_CHARS for e in found["entities"])


def test_names_and_iris_past_the_bounds_are_not_written(tmp_path):
    """A theme list item and a person-like run of many long words: whatever rule finds them, the graph
    holds no name, alias or role past the bounds, and every minted IRI key is short."""
    words = " ".join("Abcdefghij" + "k" * 40 for _ in range(8))
    doc = write(tmp_path / "docs" / "list.txt", f"Research themes: {words}, Healthy ageing and Mental health.\n\n"
                f"Dr {words}, Director of {words} at the University of Westmarch, said it.\n" + PARAGRAPH)
    export = collabgraph("export", "--data-dir", built(tmp_path / "data", doc.parent))
    assert export.returncode == 0, export.stderr
    literals = re.findall(r'<[^>]*#(?:name|altLabel|roleTitle|label)> "((?:[^"\\]|\\.)*)"', export.stdout)
    assert literals and all(len(v) <= MAX_NAME_CHARS for v in literals), max(literals, key=len)[:80]
    keys = re.findall(r"<https://w3id\.org/collabgraph/id/[a-z]+/([^>]*)>", export.stdout)
    assert keys and all(len(k) <= iris.MAX_KEY_CHARS for k in keys)
    assert "Westmarch City Council" in literals


def test_iri_keys_are_cut_with_a_digest_and_stay_distinct():
    a, b = "x" * 500 + " one", "x" * 500 + " two"
    assert len(iris.iri_key(a)) == iris.MAX_KEY_CHARS and iris.iri_key(a) != iris.iri_key(b)
    assert iris.iri_key("University of Westmarch") == "university-of-westmarch"  # short keys as before


# -- finding 5: extraction time is linear, and bounded per document

def test_a_long_run_of_commas_extracts_in_seconds(tmp_path):
    """spaCy's suffix search is quadratic in one token's length: 40,000 commas took 99 s."""
    doc = write(tmp_path / "docs" / "commas.txt", "Partners: " + "," * 40_000 + "\n\n" + PARAGRAPH)
    started = time.monotonic()
    result = collabgraph("extract", doc, "--format", "json", timeout=60)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 15
    (found,) = json.loads(result.stdout)["documents"]
    assert "University of Westmarch" in {e["name"] for e in found["entities"]}


def test_a_long_document_is_extracted_in_segments_with_offsets_into_the_whole_text():
    filler = "Nothing to see in this line of the report, only words.\n\n" * (2 * SEGMENT_CHARS // 56)
    text = filler + PARAGRAPH + filler
    assert len(segments(text)) >= 4 and all(len(s) <= SEGMENT_CHARS for _, s in segments(text))
    assert "".join(s for _, s in segments(text)) == text
    ex = extract_text(text)
    mou = [r for r in ex.relations if r.predicate == "party"]
    assert {r.object.name for r in mou} == {"University of Westmarch", "Westmarch City Council"}
    for r in ex.relations:
        assert " ".join(text[r.start:r.end].split()) == r.sentence


def _slow_document(path: Path, size: int = 2_000_000) -> Path:
    """Prose that takes far more than a second to extract: distinct names, agreements, people."""
    parts, i = [], 0
    while sum(map(len, parts)) < size:
        parts.append(f"Town{i} news\n\nThe University of Town{i} and Town{i} City Council signed a memorandum of "
                     f"understanding on health inequalities. Dr Ada Person{i}, Director of Public Health at Town{i} "
                     f"City Council, welcomed it, and Town{i} NHS Foundation Trust joined the partnership.\n\n")
        i += 1
    return write(path, "".join(parts))


def test_a_document_past_its_time_budget_is_skipped_with_one_line_and_the_build_goes_on(tmp_path):
    docs = tmp_path / "docs"
    _slow_document(docs / "huge.txt")
    write(docs / "small.txt", PARAGRAPH)
    data = tmp_path / "data"
    started = time.monotonic()
    result = collabgraph("build", docs, "--data-dir", data, "--document-seconds", "1", "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped:")]
    assert len(skipped) == 1 and "huge.txt" in skipped[0] and "1 s budget" in skipped[0], result.stderr
    manifest = json.loads((data / "current" / "manifest.json").read_text())
    assert list(manifest["sources"]) == [f"{docs.name}/small.txt"]


# -- finding 8: one writer per data directory

def test_two_concurrent_build_adds_both_land(tmp_path):
    data = built(tmp_path / "data", write(tmp_path / "first" / "base.txt", PARAGRAPH))
    a, b = write(tmp_path / "a" / "a.txt", OTHER), write(tmp_path / "b" / "b.txt", PARAGRAPH.replace("Westmarch", "Northmarch"))
    runs = [subprocess.Popen([sys.executable, "-m", "collabgraph.api", "build", "--add", str(doc), "--data-dir", str(data),
                              "--workers", "1"], env=clean_env(), cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for doc in (a, b)]
    outcomes = [(p.wait(180), p.stderr.read()) for p in runs]
    assert all(code == 0 for code, _ in outcomes), outcomes
    manifest = json.loads((data / "current" / "manifest.json").read_text())
    assert set(manifest["sources"]) == {"base.txt", "a.txt", "b.txt"}
    export = nquads(data)
    assert b"Eastmarch City Council" in export and b"Northmarch City Council" in export


def test_a_build_waiting_too_long_for_another_fails_with_one_line_naming_the_data_dir(tmp_path):
    data = built(tmp_path / "data", write(tmp_path / "first" / "base.txt", PARAGRAPH))
    before = nquads(data)
    with open(data / "build.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another build is writing
        result = collabgraph("build", "--add", write(tmp_path / "a" / "a.txt", OTHER), "--data-dir", data,
                             env={"COLLABGRAPH_BUILD_LOCK_SECONDS": "1"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    waiting, error = error_lines(result.stderr)
    assert waiting == f"waiting for another build of {data} to finish (up to 1 s)"
    assert error.startswith(f"error: {data}: another build is still writing this data directory"), error
    assert nquads(data) == before


# -- finding 10: symlinks out of the source folder, absolute paths in answers

def test_a_symlink_out_of_the_source_folder_is_not_read(tmp_path, cli):
    docs = tmp_path / "docs"
    write(docs / "news.txt", PARAGRAPH)
    (docs / "passwd.txt").symlink_to("/etc/passwd")
    (docs / "etc").symlink_to("/etc")
    (docs / "inside.txt").symlink_to(docs / "news.txt")  # a link within the folder is fine
    data = tmp_path / "data"
    result = collabgraph("build", docs, "--data-dir", data, "--workers", "1")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any("passwd.txt" in w and "outside" in w for w in warnings), result.stderr
    assert any(str(docs / "etc") in w for w in warnings), result.stderr
    export = cli("export", "--data-dir", data).stdout
    assert not PASSWD_LINE.search(export) and "passwd" not in export
    assert "inside.txt" in export
    extracted = collabgraph("extract", docs, "--format", "json")
    assert not PASSWD_LINE.search(extracted.stdout) and "passwd.txt" in extracted.stderr


def test_no_answer_holds_the_machines_paths(tmp_path, cli):
    docs = tmp_path / "docs"
    write(docs / "news.txt", PARAGRAPH)
    write(docs / "more" / "other.txt", OTHER)
    data = built(tmp_path / "data", docs)
    machine = [str(tmp_path), str(REPO), str(Path.home())]
    for fmt in ("nquads", "trig", "turtle", "jsonld", "graphml", "gexf"):
        exported = cli("export", "--format", fmt, "--data-dir", data).stdout
        assert exported and not [m for m in machine if m in exported], fmt
    assert '"more/other.txt"' in cli("export", "--data-dir", data).stdout  # relative to the folder given
    with serve(data, tmp_path / "logs") as server, httpx.Client(base_url=server.url, timeout=60) as http:
        orgs = http.get("/organisations", params={"q": "Westmarch", "limit": 4}).json()["items"] or \
            http.get("/organisations", params={"limit": 4}).json()["items"]
        answers = [http.get(f"/organisations/{o['id']}").text for o in orgs]
        answers += [http.get(f"/organisations/{o['id']}/partners").text for o in orgs]
        answers += [http.get(path).text for path in ("/partnerships", "/export/nq", "/export/jsonld", "/view.json",
                                                     "/agreements", "/programmes", "/index.json")]
    paths = set(re.findall(r'"path":\s*"([^"]*)"', "".join(answers)))
    register_files = {p.name for p in (Path(__file__).resolve().parent.parent / "data" / "register").glob("*.yaml")}
    assert paths & {"news.txt", "more/other.txt"} and paths <= {"news.txt", "more/other.txt"} | register_files, paths
    for answer in answers:
        assert not [m for m in machine if m in answer]


# -- finding 11: the register's YAML

BAD_REGISTERS = {
    "alias bomb": ("themes:\n  - name: a\n    aliases: &a [x, x, x, x, x, x, x, x, x]\n  - name: b\n"
                   "    aliases: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  - name: c\n"
                   "    aliases: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n", 3, "aliases"),
    "deep nesting": ("themes: " + "[" * 50_000 + "]" * 50_000 + "\n", 1, "nested more than"),
    "duplicate section": ("organisations:\n  - name: University of Westmarch\n    type: University\n"
                          "themes:\n  - name: Ageing\norganisations:\n  - name: Westmarch City Council\n"
                          "    type: LocalAuthority\n", 6, "duplicate key 'organisations' (first at line 1)"),
    "duplicate field": ("organisations:\n  - name: University of Westmarch\n    type: University\n"
                        "    name: Westmarch University\n", 4, "duplicate key 'name'"),
    "name past the bounds": ("organisations:\n  - name: University of Westmarch\n    type: University\n"
                             "    aliases: [" + "Westmarch " * 30 + "]\n", 2, "a name or alias has at most 24 words"),
    "impossible date": ("programmes:\n  - name: Westmarch Research Programme\n    start: 2024-02-30\n", 3,
                        "'2024-02-30' is not a date"),
}


@pytest.mark.parametrize("case", BAD_REGISTERS)
def test_a_hostile_register_is_refused_with_file_and_line(tmp_path, case, cli):
    text, line, problem = BAD_REGISTERS[case]
    doc = write(tmp_path / "docs" / "news.txt", PARAGRAPH)
    data = built(tmp_path / "data", doc)
    before = nquads(data)
    bad = write(tmp_path / "register" / "bad.yaml", text)
    result = cli("build", doc, "--register", bad.parent, "--data-dir", data)
    (message,) = error_lines(result.stderr)
    assert result.exit_code == 1 and message.startswith(f"error: {bad}:{line}: ") and problem in message
    assert nquads(data) == before


def test_gold_annotations_get_the_same_strict_yaml(tmp_path, cli):
    doc = write(tmp_path / "docs" / "news.txt", PARAGRAPH)
    gold = write(tmp_path / "gold" / "news.yaml", BAD_REGISTERS["alias bomb"][0].replace("themes:", "entities:"))
    result = cli("evaluate", "--gold", gold.parent, doc)
    (message,) = error_lines(result.stderr)
    assert result.exit_code == 1 and message.startswith(f"error: {gold}: cannot read gold annotations: ")
    assert "anchors and aliases" in message and "line 3" in message


def test_a_register_file_linked_from_outside_its_folder_is_refused(tmp_path, cli):
    register = tmp_path / "register"
    register.mkdir()
    (register / "passwd.yaml").symlink_to("/etc/passwd")
    result = cli("build", write(tmp_path / "docs" / "news.txt", PARAGRAPH), "--register", register,
                 "--data-dir", tmp_path / "data")
    assert result.exit_code == 1 and error_lines(result.stderr) == [
        f"error: {register / 'passwd.yaml'}: symbolic link to a file outside {register}; not read"]


# -- finding 12: a full or read-only data directory

@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    """A real, small file system of our own; skips the test when this process may not mount one."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=755", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here to make a real full or read-only file system "
                    f"({mounted.stderr.strip() or 'mount failed'}); needs root with CAP_SYS_ADMIN")
    try:
        yield path
    finally:
        kill_falkordb(path / "data")  # only if a test failed and left one
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_a_full_disk_fails_the_build_with_one_line_and_keeps_the_dataset(tmp_path):
    with tmpfs(tmp_path / "disk", "3m") as disk:
        data = built(disk / "data", write(tmp_path / "docs" / "news.txt", PARAGRAPH))
        before = nquads(data)
        filler = disk / "filler"
        with open(filler, "wb", buffering=0) as fh, contextlib.suppress(OSError):  # unbuffered: close() has nothing left to flush onto the full disk
            while True:
                fh.write(b"\0" * 65536)
        result = collabgraph("build", "--add", write(tmp_path / "a" / "a.txt", OTHER), "--data-dir", data)
        message = one_line_error(result, str(data))
        assert "No space left on device" in message
        result = collabgraph("query", "cypher", "MATCH (n) RETURN count(n)", "--data-dir", data)
        assert "No space left on device" in one_line_error(result, str(data))
        assert not falkordb_servers(data)  # a server that could not record its owner is not left running
        filler.unlink()
        assert nquads(data) == before


def test_a_read_only_data_dir_gives_one_line_errors_and_503_with_the_reason(tmp_path):
    with tmpfs(tmp_path / "disk", "8m") as disk:
        data = built(disk / "data", write(tmp_path / "docs" / "news.txt", PARAGRAPH))
        before = nquads(data)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = collabgraph("build", "--add", write(tmp_path / "a" / "a.txt", OTHER), "--data-dir", data)
        assert "Read-only file system" in one_line_error(result, str(data))
        result = collabgraph("query", "cypher", "MATCH (n) RETURN count(n)", "--data-dir", data)
        assert "Read-only file system" in one_line_error(result, str(data))
        result = collabgraph("export", "--data-dir", data, "--out", disk / "all.nq")
        assert "Read-only file system" in one_line_error(result, str(disk / "all.nq"))
        assert nquads(data) == before
        with serve(data, tmp_path / "logs") as server, httpx.Client(base_url=server.url, timeout=60) as http:
            cypher = http.post("/cypher", json={"query": "MATCH (n) RETURN count(n)"})
            assert cypher.status_code == 503 and "Read-only file system" in cypher.json()["detail"]
            assert str(disk) not in cypher.text
            health = http.get("/health")
            assert health.status_code in (200, 503) and health.json()["status"] in ("degraded", "unavailable")
            assert "Read-only file system" in health.json()["stores"]["property"]["message"]
            assert http.get("/organisations").status_code == 200  # the RDF dataset still answers
