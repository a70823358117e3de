"""Bounce and complaint processing: SES / Pinpoint feedback → address store + SES account suppression list.

Flow: ``handler`` (Lambda entry) → ``process`` (plain functions) → ``models`` (parse) → ``policy`` (decide) →
``store`` (address rows + ledger) and ``suppression`` (SES account list).
"""
