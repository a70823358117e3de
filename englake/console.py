"""The CLI's rich consoles and progress bars (library code logs; only the CLI prints).

Output is plain text, without ANSI codes, when it goes to a pipe, a file or cron (rich detects that no terminal is
attached) and whenever ``NO_COLOR`` is set (https://no-color.org: bold and other styles go too, not only colour).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

if TYPE_CHECKING:
    from englake.dbt_progress import NodeProgress


def _color_system() -> str | None:
    return None if os.environ.get("NO_COLOR") else "auto"


console = Console(color_system=_color_system())
err_console = Console(stderr=True, color_system=_color_system())


def styled(target: Console | None = None) -> bool:
    """Whether ``target`` (default: stdout's console) writes ANSI styles; tools we run (dbt) follow it."""
    return (target or console).color_system is not None


def progress(transient: bool = False) -> Progress:
    """A progress bar for long work: description, bar, done/total, elapsed, remaining."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=transient,
        # A bar is for people watching: in a pipe, a file or cron it would only leave a frozen last frame behind.
        disable=not err_console.is_terminal,
    )


def dbt_node_progress(bar: Progress, label: str = "dbt build") -> NodeProgress:
    """A dbt callback showing N of M nodes and the time elapsed: a task of ``bar`` on a terminal, else a plain line
    on stderr at each tenth of the nodes (englake.dbt_progress)."""
    from englake.dbt_progress import NodeProgress, PlainProgressLines

    if not bar.disable:
        task = bar.add_task(f"{label}: nodes", total=None)
        return NodeProgress(lambda done, total, _: bar.update(task, completed=done, total=total))
    return NodeProgress(PlainProgressLines(lambda line: err_console.print(line, markup=False, highlight=False), label))
