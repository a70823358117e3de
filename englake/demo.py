"""The main job on the embedded default: generate a sample lake, land it, build the models, sync segments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from englake.console import console, progress
from englake.errors import LakeError
from englake.models import BuildResult, build_models, campaign_summary
from englake.settings import Settings
from ingest.generator import TRUTH_KEY, GenerateResult, generate_lake
from ingest.reader import ScanReport, inspect_lake, lake_objects
from ingest.storage import LocalStore
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


def prepare_demo_lake(settings: Settings) -> LocalStore:
    """The demo's local lake; refuses a folder that holds anything but an earlier demo (never touches real data)."""
    if not settings.is_local:
        raise LakeError(f"the demo runs on a local lake folder, not {settings.lake_root}: pass --lake ./lake")
    root = settings.local_lake_path
    if root.exists() and any(root.iterdir()) and not (root / TRUTH_KEY).exists():
        raise LakeError(
            f"{root} holds data the demo did not generate (no {TRUTH_KEY}); "
            "pass --lake with an empty or new folder, or remove it yourself"
        )
    root.mkdir(parents=True, exist_ok=True)
    store = LocalStore(root)
    # A fresh run: the models and the local segment store are rebuilt from the regenerated lake.
    settings.resolved_duckdb_path.unlink(missing_ok=True)
    for item in list(store.list(SYNC_PREFIX)):
        store.delete(item.key)
    return store


def run_demo(settings: Settings, *, events: int = 20_000, days: int = 14, seed: int = 42) -> DemoResult:
    """Generate → land (Firehose layout) → read back → dbt build → campaign summary → segment sync, printing each."""
    from ingest.cli import landing_table, print_scan_report
    from ingest.generator import GeneratorConfig
    from segmentation.embedded import sync_embedded

    store = prepare_demo_lake(settings)
    config = GeneratorConfig(seed=seed, events=events, days=days)

    console.rule("1/5  Generate a sample lake and land it as Kinesis Data Firehose would")
    with progress() as bar:
        task = bar.add_task("generating and landing records", total=None)
        generated = generate_lake(
            config, store, replace=True, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    console.print(landing_table(generated.landing, f"Landed into {store.root}"))

    console.rule("2/5  Read the lake back: every record parsed or quarantined")
    objects = lake_objects(store)
    with progress(transient=True) as bar:
        task = bar.add_task("reading objects", total=len(objects))
        scan = inspect_lake(store, objects=objects, on_object=lambda _: bar.advance(task))
    print_scan_report(store, scan)

    console.rule("3/5  Build the models with dbt (DuckDB)")
    with console.status("dbt build: staging, events, views, facts, reports, segments and their tests…"):
        build = build_models(settings, extra_args=["--quiet"])
    statuses = ", ".join(f"{count} {status}" for status, count in sorted(build.statuses.items()))
    console.print(f"dbt build finished in {build.seconds:.1f} s: {statuses}")
    for warning in build.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")

    console.rule("4/5  Campaign summary")
    from englake.cli import print_campaigns

    campaigns = campaign_summary(settings)
    print_campaigns(campaigns)

    console.rule("5/5  Sync segments into the local endpoint store")
    sync = sync_embedded(settings, refresh=False)
    console.print(sync.renderable())
    console.print(
        f"\nDone at {datetime.now():%H:%M}. Query the models in {settings.resolved_duckdb_path} "
        "(e.g. select * from email_status), list a segment with "
        "`englake segments who --segment engaged_recent_buyers`."
    )
    return DemoResult(generated, scan, build, campaigns, sync)
