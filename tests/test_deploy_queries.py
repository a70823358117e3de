"""The saved Athena queries in deploy/athena-queries.yaml: the same SQL as their sources, over models dbt builds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from englake.dbt import PROJECT_DIR
from tests.test_deploy_root import load

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "athena-queries.yaml"
REFERENCE = PROJECT_DIR / "analyses" / "reference"


@pytest.fixture(scope="module")
def queries() -> dict[str, dict[str, Any]]:
    resources = load(TEMPLATE)["Resources"]
    return {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::Athena::NamedQuery"}


def _models() -> set[str]:
    return {path.stem for path in (PROJECT_DIR / "models").rglob("*.sql")}


def test_the_reference_queries_are_saved_verbatim(queries: dict[str, dict[str, Any]]) -> None:
    assert (
        queries["CampaignEngagement30dQuery"]["QueryString"]
        == (REFERENCE / "campaign_engagement_30d_verbatim.sql").read_text().rstrip("\n") + "\n"
    )
    verbatim = (REFERENCE / "emails_received_30d_verbatim.sql").read_text()
    # The dbt analysis takes the address as a quoted var; the saved query holds the example address as a literal.
    saved = re.sub(r"\{\{.*?\}\}", "'recipient@example.com'", verbatim)
    assert queries["EmailsReceived30dQuery"]["QueryString"] == saved.rstrip("\n") + "\n"


def test_every_dashboard_view_has_a_saved_query(queries: dict[str, dict[str, Any]]) -> None:
    dashboards = {path.stem for path in (PROJECT_DIR / "models" / "dashboards").glob("*.sql")}
    read = {table for props in queries.values() for table in _tables(props["QueryString"])}
    assert dashboards <= read


def test_every_saved_query_parses_as_trino_and_reads_only_dbt_models(queries: dict[str, dict[str, Any]]) -> None:
    models = _models()
    for name, props in queries.items():
        tables = _tables(props["QueryString"])
        assert tables, name
        assert tables <= models, (name, tables - models)
        assert props["Database"] == {"Ref": "Database"}
        assert props["WorkGroup"] == {"Ref": "WorkGroup"}


def _tables(sql: str) -> set[str]:
    return {table.name for table in sqlglot.parse_one(sql, read="trino").find_all(exp.Table)}
