"""The curated register: clear errors with file and line, and nothing half-loaded."""
from pathlib import Path

import pytest

from collabgraph.loaders.errors import SourceError
from collabgraph.loaders.register import load_register

GOOD = """\
organisations:
  - name: University of Exampleton
    type: University
    aliases: [UoE]
    identifiers: {ror: 01abc2345}
  - name: Exampleton City Council
    type: LocalAuthority
themes:
  - name: Healthy ageing
"""


def write(tmp_path: Path, text: str, name: str = "organisations.yaml") -> Path:
    folder = tmp_path / "register"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder


def test_good_register_loads_with_lines(tmp_path):
    reg = load_register(write(tmp_path, GOOD))
    uni = next(e for e in reg.entries if e.name == "University of Exampleton")
    assert uni.line == 2 and uni.cls == "University" and uni.identifiers == {"ror": "01abc2345"}


@pytest.mark.parametrize("text, line, words", [
    ("organisations:\n  - name: A\n    type: [University\n", 4, "invalid YAML"),
    ("organisations:\n  - name: A\n    type: Universty\n", 2, "unknown type 'Universty'"),
    ("organisations:\n  - type: University\n", 2, "needs a non-empty 'name'"),
    ("organisations:\n  - name: A\n    colour: blue\n", 2, "unknown field(s) colour"),
    ("organisations:\n  - name: A\n    parent: Nowhere Trust\n", 2, "not in the register"),
    ("people:\n  - name: A\n", 1, "unknown section 'people'"),
])
def test_malformed_register_names_file_line_and_problem(tmp_path, text, line, words):
    folder = write(tmp_path, text)
    with pytest.raises(SourceError) as err:
        load_register(folder)
    assert err.value.path.endswith("organisations.yaml")
    assert err.value.line == line
    assert words in err.value.problem


def test_two_entries_claiming_one_alias_name_both(tmp_path):
    folder = write(tmp_path, GOOD)
    (folder / "more.yaml").write_text("organisations:\n  - name: Exampleton Institute\n    aliases: [uoe]\n")
    with pytest.raises(SourceError) as err:
        load_register(folder)
    message = str(err.value)
    assert "University of Exampleton" in message and "Exampleton Institute" in message and "organisations.yaml:2" in message


def test_two_entries_claiming_one_identifier_name_both(tmp_path):
    folder = write(tmp_path, GOOD)
    (folder / "more.yaml").write_text("organisations:\n  - name: Other University\n    identifiers: {ror: 01ABC2345}\n")
    with pytest.raises(SourceError, match="ror identifier") as err:
        load_register(folder)
    assert "University of Exampleton" in str(err.value) and "Other University" in str(err.value)


def test_malformed_register_leaves_previous_dataset_intact(tmp_path, cli):
    data = tmp_path / "data"
    write(data, GOOD)
    assert cli("build", data, "--data-dir", tmp_path / "d").exit_code == 0
    before = cli("export", "--format", "nquads", "--data-dir", tmp_path / "d").stdout
    (data / "register" / "organisations.yaml").write_text(GOOD.replace("LocalAuthority", "Nowhere"))
    result = cli("build", data, "--data-dir", tmp_path / "d")
    assert result.exit_code == 1
    assert "organisations.yaml:6" in result.stderr and "unknown type 'Nowhere'" in result.stderr
    assert cli("export", "--format", "nquads", "--data-dir", tmp_path / "d").stdout == before


@pytest.mark.parametrize("first,second", [
    ("University of Westmarch", "Westmarch University"),
    ("Westmarch NHS Foundation Trust", "Westmarch Foundation Trust"),
    ("De Montfort Institute", "DeMontfort Institute"),
])
def test_two_spellings_the_linker_treats_as_one_are_one_register_entry(tmp_path, first, second):
    """The register and the linker key names with one identity module: no entry another one's spelling links to."""
    text = f"organisations:\n  - name: {first}\n    type: University\n  - name: {second}\n    type: University\n"
    with pytest.raises(SourceError) as err:
        load_register(write(tmp_path, text))
    assert ":4:" in str(err.value) and first in str(err.value) and second in str(err.value)
