"""The main job on the embedded default: generate a sample lake, land it, build the models, sync segments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from englake.campaigns import print_campaigns
from englake.console import console, dbt_node_progress, progress
from englake.errors import ForeignLakeError, LakeError
from englake.models import BuildResult, build_models, campaign_summary
from englake.output import print_table
from englake.settings import Settings
from englake.storage import LocalStore
from ingest.generator import GenerateResult, generate_lake
from ingest.reader import ScanReport, inspect_lake, lake_objects
from segmentation.report import SyncReport

#: The sync state the demo resets with the lake (segment snapshots and run reports live under it).
SYNC_PREFIX = "sync/"


@dataclass
class DemoResult:
    generated: GenerateResult
    scan: ScanReport
    build: BuildResult
    campaigns: list[dict]
    sync: SyncReport


#: The marker the demo writes into a lake it creates: only a lake holding it is emptied by the next demo.
DEMO_MARKER_KEY = "_englake/demo.json"


def is_demo_lake(root: Path) -> bool:
    """Whether ``root`` is a folder the demo may empty: missing, empty, or marked by an earlier demo."""
    if not root.exists():
        return True
    if not root.is_dir():
        return False
    return not any(root.iterdir()) or (root / DEMO_MARKER_KEY).is_file()


def prepare_demo_lake(settings: Settings, *, replace: bool = False) -> LocalStore:
    """The demo's local lake, emptied for a fresh run; a lake the demo did not create is left alone unless
    ``replace`` (it may hold someone's landed events or an analyst's models)."""
    if not settings.is_local:
        raise LakeError(f"the demo runs on a local lake folder, not {settings.lake_root}: pass --lake ./lake")
    root = settings.local_lake_path
    if not replace and not is_demo_lake(root):
        raise ForeignLakeError(
            f"{root} is a lake the demo did not create (no {DEMO_MARKER_KEY}); left untouched: pass --lake with a "
            "new folder, or --replace to empty it (make demo ARGS=--replace)"
        )
    root.mkdir(parents=True, exist_ok=True)
    store = LocalStore(root)
    store.put(DEMO_MARKER_KEY, json.dumps({"created_by": "englake demo", "at": f"{datetime.now(UTC):%FT%TZ}"}).encode())
    # A fresh run: the models and the local segment store are rebuilt from the regenerated lake.
    settings.resolved_duckdb_path.unlink(missing_ok=True)
    for item in list(store.list(SYNC_PREFIX)):
        store.delete(item.key)
    return store


def run_demo(
    settings: Settings, *, events: int = 20_000, days: int = 14, seed: int = 42, replace: bool = False
) -> DemoResult:
    """Generate → land (Firehose layout) → read back → dbt build → campaign summary → segment sync, printing each."""
    from ingest.cli import landing_table, print_scan_report
    from ingest.generator import GeneratorConfig
    from segmentation.embedded import sync_embedded
    from segmentation.report_view import renderable

    store = prepare_demo_lake(settings, replace=replace)
    config = GeneratorConfig(seed=seed, events=events, days=days)

    console.rule("1/5  Generate a sample lake and land it as Kinesis Data Firehose would")
    with progress() as bar:
        task = bar.add_task("generating and landing records", total=None)
        generated = generate_lake(
            config, store, replace=True, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    print_table(landing_table(generated.landing, f"Landed into {store.root}"))

    console.rule("2/5  Read the lake back: every record parsed or quarantined")
    objects = lake_objects(store)
    with progress(transient=True) as bar:
        task = bar.add_task("reading objects", total=len(objects))
        scan = inspect_lake(store, objects=objects, on_object=lambda _: bar.advance(task))
    print_scan_report(store, scan)

    console.rule("3/5  Build the models with dbt (DuckDB)")
    with progress(transient=True) as bar:  # dbt's own log stays quiet: N of M nodes is what a demo needs
        build = build_models(settings, extra_args=["--quiet"], dbt_callbacks=[dbt_node_progress(bar)])
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(build.statuses.items()))
    console.print(f"dbt build finished in {build.seconds:.1f} s: {statuses}")
    for warning in build.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")

    console.rule("4/5  Campaign summary")
    campaigns = campaign_summary(settings)
    print_campaigns(campaigns)

    console.rule("5/5  Sync segments into the local endpoint store")
    sync = sync_embedded(settings, refresh=False)
    console.print(renderable(sync))
    console.print(
        f"\nDone at {datetime.now():%H:%M}. Query the models in {settings.resolved_duckdb_path} "
        "(e.g. select * from email_status), list a segment with "
        "`englake segments who --segment engaged_recent_buyers`."
    )
    return DemoResult(generated, scan, build, campaigns, sync)
