"""Issue 9: ``englake models build --lake <typo>`` created an empty lake, built nothing and exited 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from englake.cli import main
from englake.errors import EXIT_CODES, LakeError


def test_models_build_on_a_lake_that_is_not_there_is_one_line_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "lakee"
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "build", "--lake", str(typo)])
    assert exit_info.value.code == EXIT_CODES[LakeError]
    err = capsys.readouterr().err.strip()
    assert err == f"error: lake root {typo} does not exist (pass --lake or set ENGLAKE_LAKE_ROOT)"
    assert not typo.exists()
