"""Deterministic synthetic events of all three producers, with ground truth (see ``ingest.generator``)."""

from ingest.synthetic.config import GeneratorConfig, RawRecord
from ingest.synthetic.lake import SyntheticLake, generate, planned_lake_frozen
from ingest.synthetic.truth import VIEWS, GroundTruth

__all__ = ["VIEWS", "GeneratorConfig", "GroundTruth", "RawRecord", "SyntheticLake", "generate", "planned_lake_frozen"]
