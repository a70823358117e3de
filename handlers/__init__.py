"""Operational handlers of the reference architectures: thin AWS Lambda entry points over plain, tested functions."""
