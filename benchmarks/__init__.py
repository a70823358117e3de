"""Benchmarks: each module prints a table with the machine described; ``python -m benchmarks`` runs them all."""
