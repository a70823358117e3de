"""Issue 16's done-when: the README's model table lists every view. The table is read from README.md itself and
compared with the dbt project's models, so a model added without a row (or a row naming a model that is gone)
fails here."""

from __future__ import annotations

import re
from pathlib import Path

from englake.dbt import PROJECT_DIR

README = Path(__file__).resolve().parents[1] / "README.md"
#: The header row of the model table.
TABLE_HEADER = "| model | what |"


def readme_model_names() -> set[str]:
    """The backticked names in the first column of the README's model table."""
    text = README.read_text()
    assert text.count(TABLE_HEADER) == 1, "the README has one model table"
    lines = text[text.index(TABLE_HEADER) :].splitlines()[2:]  # past the header and the |---| row
    names: set[str] = set()
    for line in lines:
        if not line.startswith("|"):
            break
        names |= set(re.findall(r"`([a-z0-9_]+)`", line.split("|")[1]))
    return names


def test_the_readme_model_table_lists_every_model() -> None:
    models = {path.stem for path in (PROJECT_DIR / "models").rglob("*.sql")}
    listed = readme_model_names()
    assert sorted(models - listed) == []  # in the project, not in the table
    assert sorted(listed - models) == []  # in the table, not in the project


def test_the_new_channel_and_sample_views_are_in_the_table() -> None:
    listed = readme_model_names()
    channel_views = {"mms_status", "voice_status", "rcs_status", "whatsapp_status", "whatsapp_inbound"}
    assert channel_views | {"whatsapp_conversations", "media_message_status", "whatsapp_conversation_view"} <= listed
