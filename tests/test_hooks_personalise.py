"""Send-time attribute providers under ``personalise``: cache, time budget, concurrency, validation, fallbacks —
against a real HTTP server on 127.0.0.1 (fast, slow, garbage, huge, 404, 500) and lookup tables in DuckDB and Athena."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import boto3
import duckdb
import pytest
from moto import mock_aws

from handlers.hooks.attributes import AttributeLimits, AttributeRejected, checked
from handlers.hooks.cache import TtlCache
from handlers.hooks.models import EndpointView
from handlers.hooks.personalise import Budget, personalise
from handlers.hooks.providers.base import KeySpec
from handlers.hooks.providers.http import HttpProvider
from handlers.hooks.providers.lookup import AthenaRunner, DuckDBRunner, LookupTableProvider
from tests.hooks_support import email_endpoint, provider_server

FALLBACK = {"Offer": ["our standard offer"]}


def endpoints(n: int, **extra: Any) -> list[EndpointView]:
    return [EndpointView(f"ep-{i}", email_endpoint(i, **extra)) for i in range(n)]


def test_http_provider_gives_each_endpoint_its_attributes() -> None:
    with provider_server() as server:
        provider = HttpProvider(server.url + "/ok/{key}")
        result = personalise(endpoints(3), provider, Budget(seconds=5, fallback=FALLBACK))
    assert result.counts == {"provided": 3}
    assert result.outcomes["ep-1"].attributes == {"Offer": ["offer for ep-1"], "Tier": ["gold"]}
    assert result.failures == 0


def test_one_synchronous_call_per_endpoint_without_a_time_budget_is_gone() -> None:
    """Defect §12: the reference would call an external service once per endpoint, one after another, with no
    budget: 20 endpoints at 0.5 s each is 10 s of a 15 s hook. Here the calls run concurrently and the whole call
    stays within the budget, whatever the provider does."""
    with provider_server(delay=0.5) as server:
        provider = HttpProvider(server.url + "/slow/{key}", pool_size=20)
        started = time.monotonic()
        result = personalise(endpoints(20), provider, Budget(seconds=3, concurrency=20, fallback=FALLBACK))
        elapsed = time.monotonic() - started
    assert result.counts == {"provided": 20}
    assert elapsed < 3  # sequential would be >= 10 s


def test_a_provider_slower_than_the_budget_gives_fallbacks_not_a_failed_batch() -> None:
    with provider_server(delay=3.0) as server:
        provider = HttpProvider(server.url + "/slow/{key}")
        started = time.monotonic()
        result = personalise(endpoints(5), provider, Budget(seconds=0.5, fallback=FALLBACK))
        elapsed = time.monotonic() - started
    assert elapsed < 1.5
    assert result.counts == {"timeout": 5}
    assert all(o.attributes == FALLBACK and o.failed for o in result.outcomes.values())


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("garbage", "invalid_response"),
        ("list", "invalid_response"),
        ("nested", "invalid_response"),
        ("huge", "oversized"),
    ],
)
def test_garbage_and_oversized_answers_fall_back(path: str, reason: str) -> None:
    with provider_server(huge_bytes=100_000) as server:
        provider = HttpProvider(server.url + f"/{path}/{{key}}", max_response_bytes=50_000)
        result = personalise(endpoints(2), provider, Budget(seconds=5, fallback=FALLBACK))
    assert result.counts == {reason: 2}
    assert result.outcomes["ep-0"].attributes == FALLBACK


def test_unknown_and_broken_keys_fail_alone() -> None:
    views = [
        EndpointView("a", email_endpoint(1)),
        EndpointView("missing", email_endpoint(2)),
        EndpointView("broken", email_endpoint(3)),
        EndpointView("no-attributes", {"ChannelType": "EMAIL"}),
    ]
    with provider_server() as server:
        result = personalise(views, HttpProvider(server.url + "/ok/{key}"), Budget(seconds=5, fallback=FALLBACK))
    reasons = {k: o.reason for k, o in result.outcomes.items()}
    assert reasons == {"a": "provided", "missing": "not_found", "broken": "provider_error", "no-attributes": "provided"}
    assert result.failures == 1


def test_the_cache_saves_repeat_calls_and_endpoints_sharing_a_key_cost_one() -> None:
    """Defect §12: no caching or batching of the external calls."""
    cache: TtlCache[Any] = TtlCache(ttl_seconds=60)
    shared = [EndpointView(f"ep-{i}", email_endpoint(1)) for i in range(4)]  # all user-1
    with provider_server() as server:
        provider = HttpProvider(server.url + "/ok/{key}", KeySpec("user_id"))
        first = personalise(shared, provider, Budget(seconds=5), cache)
        second = personalise(shared, provider, Budget(seconds=5), cache)
        assert len(server.requests) == 1
    assert first.counts == {"provided": 4}
    assert second.counts == {"cached": 4}


def test_failures_are_not_cached() -> None:
    cache: TtlCache[Any] = TtlCache(ttl_seconds=60)
    with provider_server(delay=2) as server:
        slow = HttpProvider(server.url + "/slow/{key}")
        personalise(endpoints(1), slow, Budget(seconds=0.2), cache)
        fast = HttpProvider(server.url + "/ok/{key}")
        assert personalise(endpoints(1), fast, Budget(seconds=5), cache).counts == {"provided": 1}


def test_an_unreachable_provider_is_a_counted_failure() -> None:
    provider = HttpProvider("http://127.0.0.1:9/ok/{key}")  # discard port: connection refused
    result = personalise(endpoints(2), provider, Budget(seconds=2, fallback=FALLBACK))
    assert result.counts == {"provider_error": 2}


def test_endpoints_without_a_key_get_the_fallback() -> None:
    views = [EndpointView("x", {"ChannelType": "EMAIL"})]  # no User.UserId
    result = personalise(views, HttpProvider("http://127.0.0.1:9/{key}", KeySpec("user_id")), Budget(fallback=FALLBACK))
    assert result.counts == {"no_key": 1}


def test_attribute_checks_coerce_scalars_and_reject_the_rest() -> None:
    assert checked({"A": "x", "B": 3, "C": ["y", 1.5]}) == {"A": ["x"], "B": ["3"], "C": ["y", "1.5"]}
    for bad in ([], "text", {"A": {"b": 1}}, {"A": [None]}, {"": ["x"]}, {"A": True}):
        with pytest.raises(AttributeRejected):
            checked(bad)
    with pytest.raises(AttributeRejected, match="oversized"):
        checked({"A": ["x" * 100]}, AttributeLimits(max_endpoint_bytes=50))
    with pytest.raises(AttributeRejected, match="oversized"):  # 20 raw bytes, 120 once JSON-escaped
        checked({"A": ["\x01" * 20]}, AttributeLimits(max_endpoint_bytes=100))
    assert checked({"A": ["x" * 10]}, AttributeLimits(max_endpoint_bytes=100)) == {"A": ["x" * 10]}


# -- lookup tables ---------------------------------------------------------------------------------------------


@pytest.fixture
def offers_db(tmp_path) -> str:
    path = str(tmp_path / "lake.duckdb")
    with duckdb.connect(path) as con:
        con.execute("create table endpoint_offers (endpoint_id varchar, offer varchar, tier varchar)")
        con.execute("insert into endpoint_offers values ('ep-0', '10% off', 'gold'), ('ep-1', 'free shipping', null)")
    return path


def test_lookup_table_in_duckdb(offers_db: str) -> None:
    provider = LookupTableProvider(DuckDBRunner(offers_db), "endpoint_offers")
    result = personalise(endpoints(3), provider, Budget(fallback=FALLBACK))
    assert result.outcomes["ep-0"].attributes == {"offer": ["10% off"], "tier": ["gold"]}
    assert result.outcomes["ep-1"].attributes == {"offer": ["free shipping"]}  # NULL column left out
    assert result.outcomes["ep-2"].reason == "not_found"


def test_lookup_table_queried_per_batch(offers_db: str) -> None:
    provider = LookupTableProvider(DuckDBRunner(offers_db), "endpoint_offers", preload=False, batch_size=1)
    result = personalise(endpoints(3), provider, Budget(fallback=FALLBACK))
    assert [o.reason for o in result.outcomes.values()] == ["provided", "provided", "not_found"]


def test_lookup_relation_names_cannot_inject_sql(offers_db: str) -> None:
    with pytest.raises(ValueError, match="plain"):
        LookupTableProvider(DuckDBRunner(offers_db), "endpoint_offers; drop table x")


class _AthenaOnDuckDB:
    """Plays Athena's engine for moto: after StartQueryExecution, run the SQL on DuckDB and put the CSV result
    where Athena would (moto keeps the query lifecycle; it has no engine)."""

    def __init__(self, s3: Any, db: str) -> None:
        self.s3 = s3
        self.db = db
        self.queries: list[tuple[str, Sequence[str]]] = []

    def __call__(self, params: dict[str, Any], **_: Any) -> None:
        self.pending = (params["QueryString"], params.get("ExecutionParameters") or [])

    def after(self, parsed: dict[str, Any], model: Any, **kwargs: Any) -> None:
        sql, parameters = self.pending
        self.queries.append((sql, parameters))
        literal = sql
        for parameter in parameters:
            literal = literal.replace("?", parameter, 1)
        import csv
        import io

        with duckdb.connect(self.db, read_only=True) as con:
            result = con.execute(literal)
            names = [d[0] for d in result.description]
            rows = result.fetchall()
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(names)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
        athena = boto3.client("athena", region_name="us-east-1")
        location = athena.get_query_execution(QueryExecutionId=parsed["QueryExecutionId"])["QueryExecution"]
        bucket, _, key = location["ResultConfiguration"]["OutputLocation"][5:].partition("/")
        self.s3.put_object(Bucket=bucket, Key=key, Body=out.getvalue().encode())


@pytest.mark.parametrize("preload", [True, False])
def test_lookup_table_through_athena_uses_the_same_interface(offers_db: str, preload: bool) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="athena-results")
        athena = boto3.client("athena", region_name="us-east-1")
        engine = _AthenaOnDuckDB(s3, offers_db)
        athena.meta.events.register("provide-client-params.athena.StartQueryExecution", engine)
        athena.meta.events.register("after-call.athena.StartQueryExecution", engine.after)
        runner = AthenaRunner(athena, s3, "englake", "primary", "s3://athena-results/hooks/", sleep=lambda _: None)
        provider = LookupTableProvider(runner, "endpoint_offers", preload=preload)
        result = personalise(endpoints(3), provider, Budget(seconds=10, fallback=FALLBACK))
    assert result.outcomes["ep-0"].attributes == {"offer": ["10% off"], "tier": ["gold"]}
    assert result.outcomes["ep-1"].attributes == {"offer": ["free shipping"]}
    assert result.outcomes["ep-2"].reason == "not_found"
    if not preload:
        assert engine.queries[0][1] == ["'ep-0'", "'ep-1'", "'ep-2'"]  # bound as quoted literals, not spliced


def test_a_per_call_cap_keeps_one_hanging_key_from_taking_the_whole_budget() -> None:
    views = [EndpointView("missing", email_endpoint(0)), *endpoints(3)]
    with provider_server(delay=5) as server:
        provider = HttpProvider(server.url + "/slow/{key}")
        started = time.monotonic()
        result = personalise(views, provider, Budget(seconds=8, call_seconds=0.3, fallback=FALLBACK))
        elapsed = time.monotonic() - started
    assert elapsed < 2  # not the 8 s budget
    assert result.counts == {"timeout": 3, "not_found": 1}


def test_englakes_own_senders_personalise_plain_rows(offers_db: str) -> None:
    """After Pinpoint: a sender with rows (the SMS file drop, the campaign workflow) builds endpoints from plain
    fields and calls the same function with the same providers."""
    rows = [("row-1", "+12065550101", "ep-0"), ("row-2", "+12065550102", "ep-9")]
    views = [
        EndpointView.of(row, phone, channel_type="SMS", attributes={"CustomerId": [cid]}) for row, phone, cid in rows
    ]
    provider = LookupTableProvider(
        DuckDBRunner(offers_db), "endpoint_offers", key=KeySpec.parse("attribute:CustomerId")
    )
    result = personalise(views, provider, Budget(seconds=2, fallback=FALLBACK))
    assert result.outcomes["row-1"].attributes == {"offer": ["10% off"], "tier": ["gold"]}
    assert result.outcomes["row-2"].attributes == FALLBACK
    assert views[0].address == "+12065550101"
