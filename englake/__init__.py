"""Engagement lake: messaging events on AWS modelled with dbt, segment sync, and operational handlers."""

__version__ = "0.1.0"
