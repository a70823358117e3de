"""Athena from Python: one pyathena connection per use, results as Arrow, failures as AthenaError.

pyathena's ArrowCursor reads a query's CSV result file from S3 straight into an Arrow table (no pandas in between).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from englake.errors import AthenaError
from englake.settings import AthenaSettings


@contextmanager
def arrow_cursor(athena: AthenaSettings, what: str, *, arrow: bool = True) -> Iterator[Any]:
    """A pyathena ArrowCursor (or, ``arrow=False``, its plain DB-API cursor, which reads no result file) on the
    configured workgroup and schema; any Athena or AWS failure inside becomes one AthenaError line naming the
    workgroup and ``what`` was being done."""
    # pyathena and its boto3 session load only on the production path.
    from botocore.exceptions import BotoCoreError, ClientError
    from pyathena import connect
    from pyathena.arrow.cursor import ArrowCursor
    from pyathena.cursor import Cursor
    from pyathena.error import Error as PyAthenaError

    try:
        connection = connect(
            s3_staging_dir=athena.s3_staging_dir,
            work_group=athena.workgroup,
            schema_name=athena.schema,
            region_name=athena.region,
            cursor_class=ArrowCursor if arrow else Cursor,
        )
        with connection, connection.cursor() as cursor:
            yield cursor
    except (PyAthenaError, ClientError, BotoCoreError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise AthenaError(f"athena workgroup {athena.workgroup}: {what} failed: {reason}") from error


def query_arrow(athena: AthenaSettings, sql: str, what: str) -> pa.Table:
    """Run ``sql`` and return its result as an Arrow table."""
    with arrow_cursor(athena, what) as cursor:
        return cursor.execute(sql).as_arrow()


def results_arrow(athena: AthenaSettings, query_execution_id: str, what: str) -> pa.Table:
    """The Arrow result of a query that already ran (a Step Functions ``athena:startQueryExecution.sync`` step's)."""
    from pyathena.arrow.result_set import AthenaArrowResultSet
    from pyathena.error import OperationalError
    from pyathena.model import AthenaQueryExecution

    with arrow_cursor(athena, what) as cursor:
        response = cursor.connection.client.get_query_execution(QueryExecutionId=query_execution_id)
        execution = AthenaQueryExecution(response)
        if execution.state != AthenaQueryExecution.STATE_SUCCEEDED:
            raise OperationalError(f"query {query_execution_id} is {execution.state}: {execution.state_change_reason}")
        result = AthenaArrowResultSet(
            connection=cursor.connection,
            converter=type(cursor).get_default_converter(),
            query_execution=execution,
            arraysize=cursor.arraysize,
            retry_config=cursor.connection.retry_config,
        )
        return result.as_arrow()


def execute(athena: AthenaSettings, statements: list[str], what: str) -> list[str]:
    """Run each statement in order (stopping at the first failure); return their query execution ids."""
    ids = []
    with arrow_cursor(athena, what, arrow=False) as cursor:
        for statement in statements:
            cursor.execute(statement)
            ids.append(cursor.query_id)
    return ids
