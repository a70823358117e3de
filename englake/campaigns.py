"""The campaign summary as the command line shows it: ``englake campaigns`` and step 4 of ``englake demo``."""

from __future__ import annotations

from englake.output import Column, OutputFormat, count, emit, percent

#: The summary's table: names, not ids (csv and json carry campaign_id and every rate too); short numeric headers so
#: it fits 80 columns with a campaign name of about twenty characters.
CAMPAIGN_COLUMNS = (
    Column("campaign_name", "campaign"),
    Column("channel"),
    Column("sent", render=count, numeric=True),
    Column("delivered", "deliv.", render=count, numeric=True),
    Column("open_rate", "open %", render=percent, numeric=True),
    Column("click_rate", "click %", render=percent, numeric=True),
    Column("hard_bounces", "bounced", render=count, numeric=True),
    Column("complaints", "compl.", render=count, numeric=True),
)


def print_campaigns(rows: list[dict], output: OutputFormat = OutputFormat.TABLE, *, wide: bool = False) -> None:
    emit(rows, CAMPAIGN_COLUMNS, output, title="Campaign performance (all send dates)", wide=wide)
