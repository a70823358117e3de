"""Settings of the audience workflow, from ``ENGLAKE_AUDIENCES_*`` environment variables (deploy/audiences.yaml
sets them in Lambda); each ``build_*`` names the variable that is missing."""

from __future__ import annotations

from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from englake.aws import client as aws_client
from englake.errors import ConfigError
from handlers.audiences.backends import ImportBackend, PinpointImport, ProfilesImport
from handlers.audiences.contracts import Backend, CampaignPlan
from handlers.audiences.process import AudienceContext
from handlers.audiences.trigger import TriggerConfig
from handlers.campaigns.backends import CampaignBackend, ConnectCampaigns, PinpointCampaigns


class AudienceSettings(BaseSettings):
    """Every field is ``ENGLAKE_AUDIENCES_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ENGLAKE_AUDIENCES_", extra="ignore")

    backend: Backend = "customer-profiles"
    #: The drop bucket; staging and reports are written to it too, under their own prefixes.
    bucket: str | None = None
    prefix: str = "audiences/incoming/"
    staging_prefix: str = "audiences/staging/"
    reports_prefix: str = "audiences/reports/"
    validate_phones: bool = True
    assume_us: bool = False
    #: Seconds the stage step may spend validating phone numbers (rows not reached are rejected, re-drop to retry).
    validation_seconds: float = 600.0
    pinpoint_application_id: str | None = None
    import_role_arn: str | None = None
    profiles_domain: str | None = None
    state_machine_arn: str | None = None
    topic_arn: str | None = None
    #: Empty = import only; "pinpoint" or "connect" = create a campaign on the imported audience.
    campaign_backend: str = ""
    campaign_template: str | None = None
    campaign_channel: str = "SMS"
    campaign_delay_minutes: int = 15
    connect_instance_id: str | None = None
    #: Sending phone number ARN (SMS) or email address (EMAIL) of Connect campaigns.
    connect_source: str | None = None
    aws_region: str | None = None

    def _need(self, field: str) -> Any:
        value = getattr(self, field)
        if not value:
            raise ConfigError(f"ENGLAKE_AUDIENCES_{field.upper()} is not set")
        return value

    def campaign_plan(self) -> CampaignPlan | None:
        if not self.campaign_backend:
            return None
        return CampaignPlan(
            backend=self.campaign_backend,  # type: ignore[arg-type]
            template=self._need("campaign_template"),
            channel=self.campaign_channel,  # type: ignore[arg-type]
            delay_minutes=self.campaign_delay_minutes,
        )

    def trigger_config(self) -> TriggerConfig:
        return TriggerConfig(
            state_machine_arn=self._need("state_machine_arn"),
            backend=self.backend,
            prefix=self.prefix,
            validate_phones=self.validate_phones,
            campaign=self.campaign_plan(),
        )

    def import_backend(self, pinpoint: Any = None, profiles: Any = None) -> ImportBackend:
        if self.backend == "pinpoint":
            return PinpointImport(
                pinpoint or aws_client("pinpoint", self.aws_region),
                self._need("pinpoint_application_id"),
                self._need("import_role_arn"),
            )
        return ProfilesImport(
            profiles or aws_client("customer-profiles", self.aws_region), self._need("profiles_domain")
        )

    def context(self, s3: Any = None, backend: ImportBackend | None = None, validator: Any = None) -> AudienceContext:
        return AudienceContext(
            s3=s3 or aws_client("s3", self.aws_region),
            backend=backend or self.import_backend(),
            bucket=self._need("bucket"),
            staging_prefix=self.staging_prefix,
            reports_prefix=self.reports_prefix,
            validator=validator,
            assume_us=self.assume_us,
        )

    def campaign_backend_for(
        self, kind: str, pinpoint: Any = None, connect: Any = None, profiles: Any = None
    ) -> CampaignBackend:
        if kind == "pinpoint":
            return PinpointCampaigns(
                pinpoint or aws_client("pinpoint", self.aws_region), self._need("pinpoint_application_id")
            )
        if kind == "connect":
            return ConnectCampaigns(
                connect or aws_client("connectcampaignsv2", self.aws_region),
                self._need("connect_instance_id"),
                profiles_client=profiles or aws_client("customer-profiles", self.aws_region),
                domain_name=self._need("profiles_domain"),
                source=self._need("connect_source"),
            )
        raise ConfigError(f"ENGLAKE_AUDIENCES_CAMPAIGN_BACKEND {kind!r}: use pinpoint or connect")
