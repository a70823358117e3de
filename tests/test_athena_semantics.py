"""The Athena check's Trino emulation and analyzer, one behaviour at a time, on small SQL statements.

Each Trino answer below is the documented one (trino.io docs) or the one Trino's source gives (the class named in
the test); each test also shows DuckDB answering differently, so a macro relying on DuckDB's behaviour is caught.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
import sqlglot

from englake.trino import functions
from englake.trino.translate import translate

RECORD = (
    '{"attributes": {"campaign_id": "c1", "survey": {"score": "9"}}, "parts": 1.0, '
    '"when": "2025-11-20T09:15:00.123456Z"}'
)


@pytest.fixture
def db() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    functions.install(connection)
    connection.execute(
        "CREATE TABLE t AS SELECT ? AS record, 7 AS seven, 2 AS two, chr(9) || 'padded@example.com ' AS address, "
        "['a', NULL] AS letters, "
        "[struct_pack(email_address := 'x@example.com', action := 'failed', status := '5.1.1', "
        "diagnostic_code := 'smtp; 550')] AS recipients",
        [RECORD],
    )
    return connection


def trino(db: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    """The row Trino's rules give (emulated)."""
    translation = translate(sql, db)
    assert translation.problems == []
    return db.execute(translation.sql).fetchone()


def duckdb_native(db: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    """The row DuckDB gives for the same SQL transpiled by name, as sqlglot alone would."""
    return db.execute(sqlglot.transpile(sql, read="trino", write="duckdb")[0]).fetchone()


def test_a_map_with_an_object_value_is_null_as_a_whole_on_trino(db) -> None:
    """JsonToMapCast: a value that cannot be cast to varchar (an object) fails the cast, so try_cast is NULL."""
    old_macro = "SELECT try_cast(json_extract(record, '$.attributes') AS map(varchar, varchar)) FROM t"
    assert trino(db, old_macro) == (None,)
    kept = (
        "SELECT transform_values(try_cast(json_extract(record, '$.attributes') AS map(varchar, json)), "
        "(k, v) -> if(is_json_scalar(v), cast(v AS varchar), json_format(v))) FROM t"
    )
    assert trino(db, kept) == ({"campaign_id": "c1", "survey": '{"score":"9"}'},)
    duck = "SELECT json_transform(json_extract(record, '$.attributes'), '\"MAP(VARCHAR, VARCHAR)\"') FROM t"
    assert db.execute(duck).fetchone() == ({"campaign_id": "c1", "survey": '{"score":"9"}'},)


def test_from_iso8601_timestamp_keeps_milliseconds(db) -> None:
    """from_iso8601_timestamp(string) -> timestamp(3) with time zone (datetime.md)."""
    sql = (
        "SELECT cast(from_iso8601_timestamp(json_extract_scalar(record, '$.when')) AT TIME ZONE 'UTC' "
        "AS timestamp(6)) FROM t"
    )
    assert trino(db, sql) == (datetime(2025, 11, 20, 9, 15, 0, 123000),)
    assert duckdb_native(db, sql) == (datetime(2025, 11, 20, 9, 15, 0, 123456),)


def test_try_cast_of_a_decimal_text_to_bigint_is_null(db) -> None:
    """VarcharOperators.castToBigint is Long.parseLong: '1.0' is not a bigint."""
    sql = "SELECT try_cast(json_extract_scalar(record, '$.parts') AS bigint), try_cast('+12' AS bigint) FROM t"
    assert trino(db, sql) == (None, 12)
    assert duckdb_native(db, sql) == (1, 12)


def test_integer_division_truncates(db) -> None:
    assert trino(db, "SELECT seven / two, -seven / two, seven / 2.0 FROM t") == (3, -3, 3.5)
    assert duckdb_native(db, "SELECT seven / two FROM t") == (3.5,)


def test_integer_division_by_zero_fails(db) -> None:
    translation = translate("SELECT seven / (two - 2) FROM t", db)
    with pytest.raises(duckdb.Error, match="Division by zero"):
        db.execute(translation.sql).fetchall()


def test_trim_removes_java_whitespace_not_only_spaces(db) -> None:
    """StringFunctions.trim → airlift SliceUtf8.trim → Character.isWhitespace (tabs, CR, LF, …)."""
    sql = "SELECT trim(address), trim(chr(13) || 'a' || chr(10)) FROM t"
    assert trino(db, sql) == ("padded@example.com", "a")
    assert duckdb_native(db, sql) == ("\tpadded@example.com", "\ra\n")


def test_regexp_extract_without_a_match_is_null(db) -> None:
    """JoniRegexpFunctions.regexpExtract returns null when the pattern does not match."""
    sql = "SELECT regexp_extract('endpoints/app/file.gz', 'endpoints/([^/]+)/(.+)/[^/]+$', 2) FROM t"
    assert trino(db, sql) == (None,)
    assert duckdb_native(db, sql) == ("",)


def test_regexp_replace_names_groups_with_a_dollar_as_java_does(db) -> None:
    """Trino's replacement is Java's: $1 is group 1 and \\$ a dollar (RE2 writes \\1); unrewritten, $1 stays literal."""
    sql = "select regexp_replace('ab-ab', '(a)(b)', '[$2$1]' || '\\$')"
    assert trino(db, sql) == ("[ba]$-[ba]$",)
    assert duckdb_native(db, "select regexp_replace('ab', '(a)(b)', '[$2$1]')") == ("[$2$1]",)


def test_contains_on_an_array_holding_null_is_null_when_absent(db) -> None:
    """ArrayContains: no match and a NULL element → NULL."""
    sql = "SELECT contains(letters, 'b'), contains(letters, 'a') FROM t"
    assert trino(db, sql) == (None, True)
    assert duckdb_native(db, sql) == (False, True)


def test_json_extract_scalar_of_an_object_is_null(db) -> None:
    sql = (
        "SELECT json_extract_scalar(record, '$.attributes'), "
        "json_extract_scalar(record, '$[\"attributes\"].campaign_id') FROM t"
    )
    assert trino(db, sql) == (None, "c1")


# --- the analyzer: errors Trino raises before running, which DuckDB would not -----------------------------------


def test_unnest_of_rows_with_one_alias_fails_as_on_trino(db) -> None:
    """Today's fct_events: `cross join unnest(...) as fan (recipient)` over an array of 4-field rows. DuckDB runs it
    (one struct column); Trino expands a row into its fields and rejects the one-name alias."""
    sql = (
        "SELECT fan.recipient FROM t CROSS JOIN UNNEST(if(coalesce(cardinality(t.recipients), 0) > 0, t.recipients, "
        "array[null])) AS fan (recipient)"
    )
    assert db.execute(sqlglot.transpile(sql, read="trino", write="duckdb")[0]).fetchall()  # DuckDB accepts it
    problems = translate(sql, db).problems
    assert problems
    assert problems[0].startswith("Column alias list has 1 entries but 'fan' has 4 columns available")


def test_unnest_of_rows_with_every_field_named_runs_and_expands(db) -> None:
    sql = (
        "SELECT fan.email_address, fan.status FROM t "
        "CROSS JOIN UNNEST(t.recipients) AS fan (email_address, action, status, diagnostic_code)"
    )
    assert trino(db, sql) == ("x@example.com", "5.1.1")


def test_union_of_varchar_and_bigint_columns_fails(db) -> None:
    problems = translate("SELECT 'a' AS x FROM t UNION ALL SELECT seven FROM t", db).problems
    assert problems == ["column x of UNION branch 2 is integer, which Trino cannot coerce to varchar (branch 1)"]
    assert translate("SELECT two AS x FROM t UNION ALL SELECT 1.5 FROM t", db).problems == []


def test_comparing_varchar_with_a_number_fails(db) -> None:
    problems = translate("SELECT 1 FROM t WHERE address = seven", db).problems
    assert problems
    assert problems[0].startswith("Cannot apply operator: varchar = integer")


def test_a_duckdb_only_function_is_not_registered_in_trino(db) -> None:
    problems = translate("SELECT list_contains(letters, 'a'), contains(letters, 'a') FROM t", db).problems
    assert problems == ["Function 'list_contains' not registered"]


def test_case_results_with_no_common_type_fail(db) -> None:
    problems = translate("SELECT CASE WHEN seven > 2 THEN 'big' ELSE seven END FROM t", db).problems
    assert len(problems) == 1
    assert problems[0].startswith("All CASE results must be the same type or coercible to a common type")
    assert translate("SELECT coalesce(seven, 2.5), if(seven > 2, 'a', NULL) FROM t", db).problems == []


def test_concatenating_a_number_fails(db) -> None:
    problems = translate("SELECT address || seven FROM t", db).problems
    assert problems == ["Unexpected parameters (integer) for function concat in address || seven"]


def test_concat_is_null_with_a_null_argument_but_concat_ws_skips_nulls(db) -> None:
    """string.md: concat is NULL when an argument is; concat_ws skips the NULLs after the separator. The invalid_fields
    list is a concat_ws of one CASE per checked field: emulating it as concat dropped every flag on a row whose other
    checks passed (the documented-examples difference of issue 8)."""
    sql = "SELECT concat('a', NULL, 'b'), concat_ws(',', NULL, 'processingTimeMillis', NULL) FROM t"
    assert trino(db, sql) == (None, "processingTimeMillis")
    assert db.execute("SELECT concat('a', NULL, 'b')").fetchone() == ("ab",)  # DuckDB's own concat skips NULLs


def test_text_of_doubles_and_timestamps_is_written_as_trino_writes_it(db) -> None:
    """CAST(double AS varchar) is Java's Double.toString; a timestamp(6) keeps its six fraction digits."""
    sql = (
        "SELECT cast(1e7 * seven AS varchar), cast(2.5e0 AS varchar), "
        "cast(cast(timestamp '2026-11-20 09:15:00' AS timestamp(6)) AS varchar) FROM t"
    )
    assert trino(db, sql) == ("7.0E7", "2.5", "2026-11-20 09:15:00.000000")
    assert duckdb_native(db, sql)[0] == "70000000.0"
    assert duckdb_native(db, sql)[2] == "2026-11-20 09:15:00"


# --- bad input: one clear line, nothing run --------------------------------------------------------------------


def test_execute_needs_a_local_lake(tmp_path) -> None:
    from englake.errors import ConfigError, LakeError
    from englake.settings import Settings
    from englake.trino.check import check_athena_execution

    with pytest.raises(ConfigError, match="reads a local lake folder, not s3://bucket/lake"):
        check_athena_execution(Settings(lake_root="s3://bucket/lake"))
    with pytest.raises(LakeError, match=r"no lake folder at .*missing"):
        check_athena_execution(Settings(lake_root=str(tmp_path / "missing")))


def test_cli_rejects_vars_that_are_not_a_json_object() -> None:
    from typer.testing import CliRunner

    from englake.cli import app

    result = CliRunner().invoke(app, ["models", "check-athena", "--execute", "--vars", "{not json"])
    assert result.exit_code == 2
    assert "--vars" in result.output
