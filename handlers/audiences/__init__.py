"""Audience import from an S3 file drop: validate, import (Pinpoint or Customer Profiles), report, notify."""
