"""Hook settings from ``ENGLAKE_HOOKS_*`` environment variables (deploy/hooks.yaml sets them in Lambda)."""

from __future__ import annotations

import json
from datetime import time
from typing import Any, Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from englake.errors import ConfigError
from handlers.hooks.attributes import checked
from handlers.hooks.filter_hook import HookScope
from handlers.hooks.limits import CONNECT_OUTBOUND_BURST, CONNECT_OUTBOUND_RATE_PER_SECOND
from handlers.hooks.personalise import Budget
from handlers.hooks.providers.base import AttributeProvider, KeySpec
from handlers.hooks.templates import Template, TemplateRenderer
from handlers.hooks.voice.rules import VoiceRules

#: Dialers that may run at once (the SQS event source's MaximumConcurrency in deploy/hooks.yaml; 2 is its minimum).
DIALER_CONCURRENCY = 2


class HookSettings(BaseSettings):
    """Every field is ``ENGLAKE_HOOKS_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ENGLAKE_HOOKS_", extra="ignore")

    #: Campaign ids the FILTER hooks personalise, comma-separated; "*" for all; empty: none (pass-through).
    campaign_ids: str = ""
    provider: Literal["lookup", "http", "none"] = "lookup"
    provider_key: str = "endpoint_id"
    provider_url: str | None = None
    #: Authorization header value for the HTTP provider (from a secret; never logged).
    provider_authorization: str | None = None
    lookup_engine: Literal["duckdb", "athena"] = "duckdb"
    lookup_relation: str = "endpoint_offers"
    lookup_key_column: str = "endpoint_id"
    duckdb_path: str = "lake/englake.duckdb"
    athena_database: str = "englake"
    athena_workgroup: str = "englake"
    athena_output: str | None = None
    budget_seconds: float = 8.0
    #: Cap on one provider call (an HTTP request); unset: the rest of the budget (an Athena preload needs it).
    call_seconds: float | None = None
    concurrency: int = 16
    cache_ttl_seconds: float = 300.0
    cache_items: int = 100_000
    #: JSON object of the attributes an endpoint gets when the provider has nothing for it in time.
    fallback_attributes: str = "{}"
    drop_on_fallback: bool = False
    template_bucket: str | None = None
    template_prefix: str = "templates/"
    template_default: str | None = None
    fallback_subject: str = "News from us"
    fallback_html: str = "<!DOCTYPE html><html><body><p>Hello,</p><p>we have news for you.</p></body></html>"
    fallback_text: str = "Hello, we have news for you."
    # -- voice -------------------------------------------------------------------------------------------------
    voice_queue_url: str | None = None
    voice_ledger_table: str | None = None
    connect_instance_id: str | None = None
    connect_contact_flow_id: str | None = None
    connect_queue_id: str | None = None
    connect_source_phone_number: str | None = None
    voice_endpoint_types: str = "VOICE,SMS"
    voice_consent_attribute: str = "VoiceConsent"
    voice_calling_start: time = time(9, 0)
    voice_calling_end: time = time(20, 0)
    #: ISO weekdays on which calls are allowed (1 = Monday), comma-separated.
    voice_calling_days: str = "1,2,3,4,5,6,7"
    voice_default_timezone: str | None = None
    #: Per dialer: Connect's account quota shared by the dialers that may run at once.
    voice_calls_per_second: float = CONNECT_OUTBOUND_RATE_PER_SECOND / DIALER_CONCURRENCY
    voice_burst: int = max(1, CONNECT_OUTBOUND_BURST // DIALER_CONCURRENCY)
    lake_root: str | None = None
    region: str | None = None

    @field_validator("fallback_attributes")
    @classmethod
    def _fallback_is_attributes(cls, value: str) -> str:
        try:
            checked(json.loads(value))
        except (ValueError, TypeError) as error:
            raise ValueError(f"ENGLAKE_HOOKS_FALLBACK_ATTRIBUTES is not an attribute object: {error}") from None
        return value

    def scope(self) -> HookScope:
        return HookScope(frozenset(c.strip() for c in self.campaign_ids.split(",") if c.strip()))

    def budget(self) -> Budget:
        return Budget(
            seconds=self.budget_seconds,
            concurrency=self.concurrency,
            call_seconds=self.call_seconds,
            fallback=checked(json.loads(self.fallback_attributes)),
            drop_on_fallback=self.drop_on_fallback,
        )

    def build_provider(self, clients: dict[str, Any] | None = None) -> AttributeProvider:
        from handlers.hooks.providers.http import HttpProvider
        from handlers.hooks.providers.lookup import AthenaRunner, DuckDBRunner, LookupTableProvider
        from handlers.hooks.providers.none import NoProvider

        key = KeySpec.parse(self.provider_key)
        if self.provider == "none":
            return NoProvider()
        if self.provider == "http":
            if not self.provider_url:
                raise ConfigError("the HTTP provider needs ENGLAKE_HOOKS_PROVIDER_URL (with {key})")
            headers = {"Authorization": self.provider_authorization} if self.provider_authorization else None
            return HttpProvider(self.provider_url, key, headers=headers, pool_size=self.concurrency)
        if self.lookup_engine == "athena":
            clients = clients or {}
            runner = AthenaRunner(
                clients.get("athena") or _client("athena", self.region),
                clients.get("s3") or _client("s3", self.region),
                self.athena_database,
                self.athena_workgroup,
                self.athena_output,
            )
        else:
            runner = DuckDBRunner(self.duckdb_path)
        return LookupTableProvider(runner, self.lookup_relation, self.lookup_key_column, key)

    def renderer(self, s3: Any | None = None) -> TemplateRenderer:
        from handlers.hooks.templates import S3TemplateStore

        store = None
        if self.template_bucket:
            store = S3TemplateStore(s3 or _client("s3", self.region), self.template_bucket, self.template_prefix)
        fallback = Template(self.fallback_subject, self.fallback_html or None, self.fallback_text or None)
        return TemplateRenderer(fallback, store, self.template_default)

    def voice_rules(self) -> VoiceRules:
        return VoiceRules(
            endpoint_types=frozenset(t.strip().upper() for t in self.voice_endpoint_types.split(",") if t.strip()),
            consent_attribute=self.voice_consent_attribute,
            calling_start=self.voice_calling_start,
            calling_end=self.voice_calling_end,
            calling_days=frozenset(int(d) for d in self.voice_calling_days.split(",") if d.strip()),
            default_timezone=self.voice_default_timezone or None,
        )

    def require(self, *names: str) -> None:
        missing = [n for n in names if not getattr(self, n)]
        if missing:
            raise ConfigError("missing setting(s): " + ", ".join(f"ENGLAKE_HOOKS_{n.upper()}" for n in missing))


def _client(service: str, region: str | None) -> Any:
    from englake.aws import client

    return client(service, region)
