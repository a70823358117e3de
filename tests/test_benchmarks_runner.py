"""`python -m benchmarks`: runs the modules named (or all), passes the other arguments to each, prints each one's wall
time, the machine and a speed yardstick, and exits non-zero naming the modules that failed; and the athena_scan
benchmark builds only the models it sizes."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

import benchmarks
from benchmarks import __main__ as runner
from benchmarks import athena_scan
from englake.settings import Settings
from englake.trino import check


def _fake_modules(monkeypatch: pytest.MonkeyPatch, calls: list[tuple[str, list[str]]], failing: set[str]) -> None:
    def module(name: str) -> types.ModuleType:
        fake = types.ModuleType(name)

        def main(argv: list[str]) -> None:
            calls.append((name, list(argv)))
            if name in failing:
                raise RuntimeError(f"{name} broke")

        fake.main = main  # type: ignore[attr-defined]
        return fake

    monkeypatch.setattr(runner.importlib, "import_module", lambda qualified: module(qualified.rsplit(".", 1)[1]))
    monkeypatch.setattr(runner, "yardstick", lambda: 0.25)


def test_the_runner_runs_the_modules_named_with_the_other_arguments(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[str, list[str]]] = []
    _fake_modules(monkeypatch, calls, failing=set())
    monkeypatch.setattr(sys, "argv", ["benchmarks", "models", "--quick", "generator"])
    runner.main()
    assert calls == [("models", ["--quick"]), ("generator", ["--quick"])]  # in the order named, each with the rest
    out = capsys.readouterr().out
    assert "== wall time per module (--quick;" in out
    assert "yardstick (a fixed Python loop, best of 3): 0.250 s before, 0.250 s after" in out
    for line in out.splitlines():
        assert len(line) <= 80


def test_a_failing_module_does_not_stop_the_others_and_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[str, list[str]]] = []
    _fake_modules(monkeypatch, calls, failing={"growth"})
    monkeypatch.setattr(sys, "argv", ["benchmarks", "growth", "sweep"])
    with pytest.raises(SystemExit) as stopped:
        runner.main()
    assert stopped.value.code == "failed: growth"
    assert [name for name, _ in calls] == ["growth", "sweep"]
    captured = capsys.readouterr()
    assert "RuntimeError: growth broke" in captured.err
    assert "FAILED" in next(line for line in captured.out.splitlines() if line.strip().startswith("growth"))


def test_the_yardstick_times_the_same_loop_best_of_three(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter([0.0, 0.5, 1.0, 1.3, 2.0, 2.4])  # three runs: 0.5, 0.3 and 0.4 s
    monkeypatch.setattr(benchmarks.time, "perf_counter", lambda: next(ticks))
    assert benchmarks.yardstick() == pytest.approx(0.3)


def test_athena_scan_builds_the_sized_models_and_their_parents_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    commands: list[list[str]] = []

    def run_dbt(args: list[str], settings: Settings, **_: Any) -> None:
        commands.append(list(args))

    monkeypatch.setattr(check, "run_dbt", run_dbt)
    settings = Settings(lake_root=str(tmp_path / "lake"))
    select = [f"+{model}" for model in athena_scan.PARTITION_COLUMN]
    check.build_duckdb(settings, tmp_path / "englake.duckdb", select=select)
    assert commands == [["seed", "--full-refresh"], ["run", "--full-refresh", "--select", *select]]
    commands.clear()
    check.build_duckdb(settings, tmp_path / "englake.duckdb", {"v": 1})  # no selection: every model
    assert commands == [["seed", "--full-refresh"], ["run", "--full-refresh", "--vars", '{"v": 1}']]
