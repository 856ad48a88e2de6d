"""`collabgraph register import-ror`: a register file of organisations from the ROR data dump."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from collabgraph.loaders.structured.ror import DEFAULT_TYPES, TYPE_CLASSES, import_ror

from .app import app, err, failing_cleanly, out

register_app = typer.Typer(help="Curate the register of organisations (data/register/*.yaml).", no_args_is_help=True)
app.add_typer(register_app, name="register")


@register_app.command("import-ror")
def import_ror_command(
        dump: Annotated[Path, typer.Argument(help="The ROR data dump: the schema 2.x JSON file from Zenodo")],
        country: Annotated[str, typer.Option(help="ISO 3166-1 code of the country to import")] = "GB",
        types: Annotated[str, typer.Option(help=f"ROR types to import, comma-separated (of {', '.join(TYPE_CLASSES)})")]
        = ",".join(DEFAULT_TYPES),
        output: Annotated[Path, typer.Option("--output", "-o", help="The register file to write")]
        = Path("data/register/ror.yaml")) -> None:
    """Write a register file from the ROR dump: names, aliases and acronyms, ROR, Wikidata, GRID, ISNI and Crossref
    Funder ids, parents, city and country, for the active organisations of one country and those types."""
    wanted = [t.strip() for t in types.split(",") if t.strip()]
    unknown = sorted(set(wanted) - set(TYPE_CLASSES))
    if unknown or not wanted:
        err.print(f"[red]error:[/red] --types: unknown ROR type(s) {', '.join(unknown) or '(none given)'}; "
                  f"choose from {', '.join(TYPE_CLASSES)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    if len(country) != 2 or not country.isalpha():
        err.print(f"[red]error:[/red] --country: {country!r} is not a two-letter ISO 3166-1 code such as GB")
        raise typer.Exit(2)
    with failing_cleanly():
        report = import_ror(dump, output, country, wanted)
    for warning in report.warnings[:20]:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    if len(report.warnings) > 20:
        err.print(f"[yellow]warning:[/yellow] ... and {len(report.warnings) - 20} more", highlight=False)
    out.print(f"wrote {report.written} organisation(s) to {output} from {report.read} ROR record(s) in {report.seconds:.1f}s; "
              f"{report.skipped_existing} already in the register, {report.dropped_names} alias(es) another "
              "organisation claims left out", highlight=False, soft_wrap=True)
