"""``englake doctor``: every ENGLAKE_* setting with its value and where it came from, then checks that they work.

The settings are read from the classes that define them (pydantic-settings) and from the env_var() calls of the dbt
profile, so a setting added to either shows up here without a second list.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from englake.errors import (
    AwsCredentialsError,
    AwsRegionError,
    ConfigError,
    EnglakeError,
    LakeError,
    as_project_error,
)
from englake.project import DBT_WORK_DIR_VARIABLE, dbt_project_dir
from englake.settings import Settings

#: The settings classes of englake and its handlers (module, class); each reads ``<its prefix><FIELD>``.
SETTINGS_CLASSES = (
    ("englake.settings", "Settings"),
    ("segmentation.settings", "SegmentSettings"),
    ("handlers.bounces.config", "BounceSettings"),
    ("handlers.auto_reply.config", "AutoReplySettings"),
    ("handlers.archiver.handler", "ArchiverEnv"),
    ("handlers.archiver.queuer", "QueuerEnv"),
    ("handlers.hooks.config", "HookSettings"),
)
#: Read by englake itself (the CLI, the dbt runner), not a settings class.
CLI_VARIABLES = {
    "ENGLAKE_DEBUG": ("0", "1 for tracebacks and debug logs"),
    DBT_WORK_DIR_VARIABLE: ("", "where dbt writes target/ and logs/ (default: the project, or ~/.cache/englake/dbt)"),
}
#: The dbt profile's variables: env_var('ENGLAKE_…', 'default') in the committed profile.
_ENV_VAR = re.compile(r"env_var\(\s*'(?P<name>ENGLAKE_[A-Z0-9_]+)'\s*(?:,\s*'(?P<default>[^']*)')?\s*\)")
#: Values of settings whose names say they are secret are never printed.
_SECRET = re.compile(r"SECRET|TOKEN|PASSWORD|CREDENTIAL")
#: englake sets these for dbt from the settings above (absolute paths); a user sets ENGLAKE_LAKE_ROOT instead.
_DERIVED = {"ENGLAKE_LAKE_PATH"}


@dataclass(frozen=True)
class ResolvedSetting:
    name: str
    value: str
    source: str  # "command line", "environment", "default" or "not set"
    defined_by: str  # the class or file that reads it


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    error: type[EnglakeError] = ConfigError  # the failure's kind, for the exit code
    warning: bool = False  # reported, but not a failure


def _settings_classes() -> Iterator[tuple[str, type]]:
    for module_name, class_name in SETTINGS_CLASSES:
        yield f"{module_name}.{class_name}", getattr(importlib.import_module(module_name), class_name)


def _env_name(prefix: str, field_name: str, field: Any) -> str:
    alias = getattr(field, "validation_alias", None) or getattr(field, "alias", None)
    return (alias if isinstance(alias, str) else prefix + field_name).upper()


def _default(field: Any) -> Any:
    if field.is_required():  # a handler's setting its Lambda environment provides: nothing to show here
        return None
    if field.default_factory is not None:
        return field.default_factory()
    return field.default


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    return "(hidden)" if _SECRET.search(name) else str(value)


def resolved_settings(
    environ: dict[str, str] | None = None, overrides: dict[str, str] | None = None
) -> list[ResolvedSetting]:
    """Every ENGLAKE_* setting englake reads: its value now and whether it came from the command line
    (``overrides``, e.g. --lake), the environment or a default."""
    environ = dict(os.environ) if environ is None else environ
    upper = {key.upper(): value for key, value in environ.items()}
    found: dict[str, ResolvedSetting] = {
        name: ResolvedSetting(name, _shown(name, value), "command line", "englake.cli")
        for name, value in (overrides or {}).items()
    }

    def add(name: str, default: Any, defined_by: str) -> None:
        if name in found or name in _DERIVED:
            return
        if name in upper:
            found[name] = ResolvedSetting(name, _shown(name, upper[name]), "environment", defined_by)
        else:
            source = "default" if default not in (None, "") else "not set"
            found[name] = ResolvedSetting(name, _shown(name, default), source, defined_by)

    for where, cls in _settings_classes():
        prefix = cls.model_config.get("env_prefix", "")
        for field_name, field in cls.model_fields.items():
            add(_env_name(prefix, field_name, field), _default(field), where)
    for path in (dbt_project_dir() / "profiles.yml", dbt_project_dir() / "dbt_project.yml"):
        if path.is_file():
            for match in _ENV_VAR.finditer(path.read_text()):
                add(match["name"], match["default"], f"dbt_project/{path.name}")
    for name, (default, _) in CLI_VARIABLES.items():
        add(name, default, "englake.cli")
    return sorted(found.values(), key=lambda setting: setting.name)


def run_checks(settings: Settings, environ: dict[str, str] | None = None) -> list[Check]:
    """One check per thing englake needs: valid settings, the lake, the DuckDB file, the dbt project, AWS."""
    environ = dict(os.environ) if environ is None else environ
    known = {setting.name for setting in resolved_settings(environ)} | _DERIVED
    target = environ.get("ENGLAKE_DBT_TARGET", "duckdb")
    checks = [*_valid_settings(), _unknown_variables(environ, known), _dbt_project()]
    needs_aws = not settings.is_local or target == "athena"
    if needs_aws:
        checks += _aws(settings)
    checks.append(_lake(settings))
    if settings.is_local and target != "athena":
        checks.append(_duckdb(settings))
    return checks


def _guarded(name: str, check: Callable[[], str]) -> Check:
    """Run ``check`` (returns what it found); a project error (or one as_project_error knows) is a failed check."""
    try:
        return Check(name, True, check())
    except Exception as error:
        project = as_project_error(error)
        if project is None:
            raise
        return Check(name, False, " ".join(str(project).split()), type(project))


def _valid_settings() -> Iterator[Check]:
    from pydantic import ValidationError

    for where, cls in _settings_classes():
        try:
            cls()
        except ValidationError as error:
            # A setting a handler requires but this machine does not set (its Lambda's environment has it) is not
            # a fault here; a value that does not parse is.
            invalid = [problem for problem in error.errors() if problem["type"] != "missing"]
            if invalid:
                field = ".".join(str(part) for part in invalid[0]["loc"])
                prefix = cls.model_config.get("env_prefix", "")
                detail = f"{(prefix + field).upper()}: {invalid[0]['msg']}"
                yield Check(f"settings {where}", False, detail, ConfigError)
    yield Check("settings", True, "the values set parse")


def _unknown_variables(environ: dict[str, str], known: set[str]) -> Check:
    unknown = sorted(name for name in environ if name.upper().startswith("ENGLAKE_") and name.upper() not in known)
    if unknown:
        return Check("unknown variables", False, f"no setting reads {', '.join(unknown)} (a typo?)", warning=True)
    return Check("unknown variables", True, "every ENGLAKE_* variable set is a setting")


def _dbt_project() -> Check:
    project = dbt_project_dir()
    missing = [name for name in ("dbt_project.yml", "profiles.yml") if not (project / name).is_file()]
    if missing:
        return Check("dbt project", False, f"{project}: {', '.join(missing)} missing", ConfigError)
    return Check("dbt project", True, f"{project}")


def _aws(settings: Settings) -> list[Check]:
    import boto3

    session = boto3.session.Session(region_name=settings.aws_region or os.environ.get("AWS_REGION") or None)
    region = session.region_name
    checks = [
        Check("AWS region", True, region)
        if region
        else Check("AWS region", False, "no AWS Region: set AWS_REGION", AwsRegionError)
    ]

    def credentials() -> str:
        found = session.get_credentials()
        if found is None:
            raise AwsCredentialsError("no AWS credentials found (AWS_ACCESS_KEY_ID, AWS_PROFILE or `aws sso login`)")
        return f"found ({found.method})"

    checks.append(_guarded("AWS credentials", credentials))
    return checks


def _lake(settings: Settings) -> Check:
    def local() -> str:
        root = settings.local_lake_path
        if not root.is_dir():
            raise LakeError(f"{root} does not exist: run `englake demo` or `englake lake generate`")
        if not os.access(root, os.R_OK | os.X_OK):
            raise LakeError(f"{root} cannot be read (permissions)")
        raw = root / "raw"
        return f"{root} ({'has raw/' if raw.is_dir() else 'no raw/ yet'})"

    def remote() -> str:
        from englake.storage import open_lake

        store = open_lake(settings.lake_root)
        next(iter(store.list("raw/")), None)  # one listing call proves the bucket and the permission
        return f"{settings.lake_root} (listed raw/)"

    return _guarded("lake", local if settings.is_local else remote)


def _duckdb(settings: Settings) -> Check:
    from englake.database import check_unlocked

    path: Path = settings.resolved_duckdb_path

    def present() -> str:
        if not path.is_file():
            raise LakeError(f"no DuckDB file at {path}: build the models (englake models build)")
        check_unlocked(path)
        return f"{path} (not locked)"

    return _guarded("DuckDB file", present)
