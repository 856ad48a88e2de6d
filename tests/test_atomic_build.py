"""A build killed midway leaves the previous dataset in place; the next build cleans up after it."""
import os
import shutil
import signal
import subprocess
import sys
import time

from collabgraph.graph import dataset
from collabgraph.graph.build import BUNDLED_DATA, build
from collabgraph.graph.export import export_rdf

PARAGRAPH = ("The University of Westmarch and Westmarch City Council signed a memorandum of understanding "
             "on public health research, with the Westmarch NHS Foundation Trust as a partner. ")


def test_sigkill_during_build_keeps_previous_dataset(tmp_path):
    root = tmp_path / "d"
    build(root)  # the bundled example
    before_target = (root / "current").resolve()
    before = export_rdf(dataset.open_store(root), "nquads")

    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_DATA / "register", corpus / "register")
    (corpus / "docs").mkdir()
    for i in range(600):
        (corpus / "docs" / f"doc{i:04d}.txt").write_text(f"Westmarch news {i}\n\n" + PARAGRAPH * 20)
    proc = subprocess.Popen([sys.executable, "-m", "collabgraph.api", "build", str(corpus), "--data-dir", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(list((root / "builds").iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert proc.poll() is None, "the build finished before it could be killed; make the corpus larger"
        time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()

    assert (root / "current").resolve() == before_target
    assert export_rdf(dataset.open_store(root), "nquads") == before
    leftovers = [p for p in (root / "builds").iterdir() if p != before_target]
    assert leftovers and not (leftovers[0] / "manifest.json").exists()

    build(root)  # the next successful build removes the killed build's directory
    names = {p.name for p in (root / "builds").iterdir()}
    assert leftovers[0].name not in names
