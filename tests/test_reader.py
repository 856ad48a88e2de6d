"""Reading documents: every format, metadata, web noise, and bad files that must not stop a build."""
from __future__ import annotations

from pathlib import Path

import pytest

from collabgraph.loaders.errors import SourceError
from collabgraph.loaders.pipeline import extract_documents
from collabgraph.loaders.reader import MAX_BYTES, read_document
from collabgraph.loaders.sources import discover

ARTICLE = ("Testford City Council and the University of Testford have signed a memorandum of understanding "
           "to work together on research into healthy ageing.")


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a text layer, written by hand (xref offsets computed)."""
    text = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({ln}) Tj T*" for ln in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_text_title_date_and_web_noise(tmp_path: Path):
    p = tmp_path / "news.txt"
    p.write_text(f" date 2024-02-01 Watch more of our videos on Shots!\nCouncil and university sign agreement\n\n"
                 f"{ARTICLE}\nClose search menu\nShare this page\n")
    doc = read_document(p)
    assert doc.date == "2024-02-01"
    assert doc.title == "Council and university sign agreement"
    assert "Watch more" not in doc.text and "Close search menu" not in doc.text and "Share this" not in doc.text
    assert len(doc.text) == len(p.read_text())  # noise is blanked in place: offsets still point into the file


def test_markdown(tmp_path: Path):
    p = tmp_path / "page.md"
    p.write_text(f"# A heading\n\n*Published: 3 October 2024*\n\n{ARTICLE} [Read more](https://example.org)\n")
    doc = read_document(p)
    assert doc.title == "A heading" and doc.date == "2024-10-03"
    assert "#" not in doc.text and "](" not in doc.text and "Read more" in doc.text


def test_html_drops_scripts_and_navigation(tmp_path: Path):
    p = tmp_path / "page.html"
    p.write_text("<html><head><title>Signing news</title><meta name='date' content='2024-05-20'>"
                 "<script>var tracking = 'University of Nowhere';</script></head><body>"
                 "<nav><a href='/'>Home</a><a href='/x'>Hidden Menu Council</a></nav>"
                 f"<article><h1>Signing news</h1><p>{ARTICLE}</p><p>{ARTICLE}</p></article>"
                 "<footer><script>console.log('Footer County Council')</script></footer></body></html>")
    doc = read_document(p)
    assert "University of Testford" in doc.text
    assert "Nowhere" not in doc.text and "Footer County Council" not in doc.text and "Hidden Menu" not in doc.text
    assert doc.title == "Signing news" and doc.date == "2024-05-20"


def test_pdf(tmp_path: Path):
    p = tmp_path / "report.pdf"
    p.write_bytes(minimal_pdf(["Testford partnership report", "Testford City Council and the University of Testford",
                               "have signed a memorandum of understanding."]))
    doc = read_document(p)
    assert "University of Testford" in doc.text
    assert doc.title == "Testford partnership report"


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "empty file"),
    ("binary.txt", bytes(range(256)) * 40, "binary file"),
    ("scripts.html", b"<html><head><script>" + b"var a = 1;" * 2000 + b"</script></head><body><script>x()</script>"
                     b"</body></html>", "no main text"),
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
])
def test_bad_files_raise_a_clear_error(tmp_path: Path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(SourceError) as exc:
        read_document(p)
    assert message in str(exc.value) and name in str(exc.value)


def test_non_utf8_text_is_read_with_a_warning(tmp_path: Path):
    p = tmp_path / "latin.txt"
    p.write_bytes(("Caf\u00e9 news\n\n" + ARTICLE).encode("cp1252"))
    doc = read_document(p)
    assert "Café" in doc.text
    assert doc.warnings and "not UTF-8" in doc.warnings[0] and "latin.txt" in doc.warnings[0]


def test_huge_file_is_refused_without_reading_it(tmp_path: Path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as fh:
        fh.truncate(20 * 1024 * 1024)
    assert p.stat().st_size > MAX_BYTES
    with pytest.raises(SourceError, match="over the 16 MB limit"):
        read_document(p)


def test_bad_files_do_not_stop_the_others(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a_good.txt").write_text("Signing\n\n" + ARTICLE)
    (folder / "b_empty.txt").write_bytes(b"")
    (folder / "c_binary.md").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "d_latin.txt").write_bytes(("Caf\u00e9\n\n" + ARTICLE).encode("cp1252"))
    (folder / "e_scripts.html").write_text("<html><script>" + "x();" * 1000 + "</script></html>")
    with open(folder / "f_huge.txt", "wb") as fh:
        fh.truncate(20 * 1024 * 1024)
    (folder / "g_good.pdf").write_bytes(minimal_pdf(["Report", ARTICLE[:60], ARTICLE[60:]]))
    results = {Path(r.source.path).name: r for r in extract_documents(discover([folder]).documents, None)}
    assert sorted(results) == ["a_good.txt", "b_empty.txt", "c_binary.md", "d_latin.txt", "e_scripts.html",
                               "f_huge.txt", "g_good.pdf"]
    for name in ("b_empty.txt", "c_binary.md", "e_scripts.html", "f_huge.txt"):
        assert results[name].error and name in results[name].error and not results[name].quads
    assert results["d_latin.txt"].error is None and results["d_latin.txt"].warnings
    for name in ("a_good.txt", "d_latin.txt"):
        names = {e.name for e in results[name].extraction.entities}
        assert {"University of Testford", "Testford City Council"} <= names


def test_build_reports_bad_files_and_builds_the_rest(tmp_path: Path, cli):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("Signing\n\n" + ARTICLE)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00" * 64)
    result = cli("build", folder, "--data-dir", tmp_path / "data")
    assert result.exit_code == 0, result.output
    assert "failed" in result.output and "empty file" in result.output and "binary file" in result.output
    assert "added" in result.output
