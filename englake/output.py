"""How every listing and report command prints its rows: ``--format table|csv|json`` and tables that fit the width.

One implementation for all commands. ``table`` is for people: a rich table when it fits the console (80 columns off a
terminal, in cron or CI), else the same rows one field per line (like psql's expanded display), so no value is ever
cut to ``…``; ``--wide`` prints the full table however wide it is. ``csv`` (a header, then one line per row) and
``json`` (one JSON object per line) are for programs: raw values, never formatted, never cut.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from englake.console import console as stdout_console


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


#: The ``--format`` option every listing and report command takes.
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        help="table (for people; fits the width), csv (header + rows) or json (one object per line).",
        case_sensitive=False,
    ),
]
#: The ``--wide`` option: the full table even when it is wider than the terminal (or 80 columns off one).
WideOption = Annotated[bool, typer.Option("--wide", help="Print the full table even when wider than the terminal.")]

#: Shown for a value that does not apply (an SMS open rate) or is missing.
NOT_APPLICABLE = "—"


def count(value: Any) -> str:
    """An integer with thousands separators; missing is —."""
    return NOT_APPLICABLE if value is None else f"{int(value):,}"


def percent(value: Any) -> str:
    """A share as a percentage with one decimal; missing (not applicable) is —."""
    return NOT_APPLICABLE if value is None else f"{float(value):.1%}"


def plain(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Column:
    """One column of a listing: the row's ``key``, its table ``header`` and how a value reads in a table."""

    key: str
    header: str | None = None
    render: Callable[[Any], str] = plain
    numeric: bool = False
    #: Fold values longer than this onto more lines (a free-text column that should not push the table vertical).
    max_width: int | None = None

    @property
    def title(self) -> str:
        return self.header if self.header is not None else self.key.replace("_", " ")


def emit(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    output: OutputFormat = OutputFormat.TABLE,
    *,
    title: str | None = None,
    wide: bool = False,
    target: Console | None = None,
) -> None:
    """Print ``rows`` in ``output``: csv and json carry every key of a row, raw; the table shows ``columns``."""
    rows = list(rows)
    if output is OutputFormat.JSON:
        for row in rows:
            typer.echo(json.dumps(dict(row), ensure_ascii=False, default=str))
        return
    if output is OutputFormat.CSV:
        fields = _fields(rows, columns)
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows({key: _csv_value(row.get(key)) for key in fields} for row in rows)
        return
    print_table(table_of(rows, columns, title), wide=wide, target=target)


def _fields(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> list[str]:
    fields = [column.key for column in columns]
    for row in rows:  # keys the table leaves out (ids, raw rates) still belong in a machine-readable listing
        fields += [key for key in row if key not in fields]
    return fields


def _csv_value(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (dict, list)) else value


def table_of(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column], title: str | None = None) -> Table:
    """A compact rich table of ``rows`` (no vertical rules: four columns of padding instead of thirty)."""
    table = Table(title=escape(title) if title else None, box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for column in columns:
        table.add_column(
            column.title, justify="right" if column.numeric else "left", overflow="fold", max_width=column.max_width
        )
    for row in rows:
        table.add_row(*(Text(column.render(row.get(column.key))) for column in columns))
    return table


def fits(table: Table, target: Console | None = None) -> bool:
    """Whether ``table`` fits the console's width with cells wrapped at spaces at most: no word is cut or folded
    (a table's minimum width is its longest word per column plus padding)."""
    target = target or stdout_console
    return Measurement.get(target, target.options.update_width(10**6), table).minimum <= target.width


def print_table(table: Table, *, wide: bool = False, target: Console | None = None) -> None:
    """Print ``table`` when it fits (long cells wrap at spaces), or at full width when ``wide``; else its rows one field
    per line, so every line fits and no value is cut."""
    target = target or stdout_console
    if wide:  # Console.print never renders wider than the console: widen it for this table
        saved = target.width
        target.width = max(saved, _natural_width(table, target))
        try:
            target.print(table, crop=False)
        finally:
            target.width = saved
        return
    if fits(table, target):
        target.print(table)
        return
    target.print(vertical(table), soft_wrap=False)


def _natural_width(table: Table, target: Console) -> int:
    return Measurement.get(target, target.options.update_width(10**6), table).maximum


def vertical(table: Table) -> RenderableType:
    """``table``'s rows as blocks of ``header  value`` lines, a numbered rule between rows (long values fold)."""
    headers = [str(column.header) for column in table.columns]
    cells = [list(column.cells) for column in table.columns]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    total = table.row_count
    for index in range(total):
        grid.add_row(Text(f"-[ {index + 1} of {total} ]", style="dim"), "")
        for header, column in zip(headers, cells, strict=True):
            grid.add_row(header, column[index])
    if not total:
        grid.add_row("(no rows)", "")
    # The title goes above the grid, not in its label column (which it would widen).
    return Group(table.title, grid) if table.title else grid
