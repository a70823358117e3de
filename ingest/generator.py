"""Synthetic events with ground truth: the public API (implementation in ``ingest.synthetic``).

>>> lake = generate(GeneratorConfig(seed=7, events=2_000))
>>> first = next(lake.records())
>>> lake.truth.view_rows["email_open"] >= 0
True
"""

from ingest.synthetic import VIEWS, GeneratorConfig, GroundTruth, RawRecord, SyntheticLake, generate

__all__ = ["VIEWS", "GeneratorConfig", "GroundTruth", "RawRecord", "SyntheticLake", "generate"]
