"""Send-time attribute providers: endpoint in → attributes out. ``base`` is the interface; ``lookup`` reads a table
(DuckDB over the lake, or Athena), ``http`` asks a web service."""
