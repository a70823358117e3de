"""Segment destinations: where membership is written (local endpoint store, Amazon Pinpoint; Customer Profiles next)."""

from segmentation.destinations.base import Destination, DestinationLimits, EndpointChange, WriteResult
from segmentation.destinations.local import LocalDestination
from segmentation.destinations.pinpoint import PinpointDestination

__all__ = [
    "Destination",
    "DestinationLimits",
    "EndpointChange",
    "LocalDestination",
    "PinpointDestination",
    "WriteResult",
]
