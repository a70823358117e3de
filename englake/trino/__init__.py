"""Athena's engine (Trino) emulated on DuckDB, so the Athena SQL of the models can be executed and checked offline.

``check`` runs it (``englake models check-athena --execute``); ``translate`` rewrites Trino SQL for DuckDB with
Trino's semantics (``functions``) after ``analyzer`` has applied the rules Trino checks before running a statement;
``lake_tables`` builds the raw Glue tables from a local lake as Athena reads them.
"""
