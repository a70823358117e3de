"""The events Pinpoint sends to campaign hooks, typed as documented (limits.PINPOINT_HOOK_URL, "Event data").

FILTER hook (``CampaignHook`` Mode ``FILTER``): ``{MessageConfiguration, ApplicationId, CampaignId, TreatmentId,
ActivityId, ScheduledTime, Endpoints: {endpointId: endpointDefinition}}``; the function returns the endpoints map.
Custom channel (``CustomDeliveryConfiguration``): the same plus ``Message`` and ``Data`` (the campaign's
``CustomMessage.Data`` string; limits.PINPOINT_CUSTOM_CHANNEL_URL).

Endpoint definitions are kept as the dicts Pinpoint sent (the response must give them back as they were, plus
attributes); :class:`EndpointView` reads the few fields the hooks need and never raises, so one odd endpoint cannot
fail the batch (the reference's KeyError on an endpoint without ``Attributes`` did).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

#: Pinpoint's attribute map: name → list of string values.
Attributes = dict[str, list[str]]


class HookEvent(BaseModel):
    """A FILTER hook or custom-channel invocation; unknown top-level fields are kept and ignored."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    application_id: str = Field(alias="ApplicationId", min_length=1)
    campaign_id: str = Field(alias="CampaignId", min_length=1)
    treatment_id: str = Field("0", alias="TreatmentId")
    activity_id: str = Field(alias="ActivityId", min_length=1)
    scheduled_time: str | None = Field(None, alias="ScheduledTime")
    endpoints: dict[str, Any] = Field(alias="Endpoints")
    message_configuration: dict[str, Any] | None = Field(None, alias="MessageConfiguration")
    message: dict[str, Any] | None = Field(None, alias="Message")
    data: str | None = Field(None, alias="Data")

    @field_validator("treatment_id", mode="before")
    @classmethod
    def _treatment_as_text(cls, value: Any) -> str:
        return "0" if value is None else str(value)


def invalid_fields(error: ValidationError) -> str:
    """The fields of an event that do not match :class:`HookEvent`, dotted and comma-separated (no values: they may
    hold endpoint data)."""
    return ", ".join(".".join(str(part) for part in item["loc"]) for item in error.errors())


@dataclass(frozen=True)
class EndpointView:
    """What the hooks read from one endpoint definition; every field is optional."""

    endpoint_id: str
    definition: dict[str, Any]

    @classmethod
    def of(
        cls,
        endpoint_id: str,
        address: str | None = None,
        *,
        channel_type: str | None = None,
        attributes: Attributes | None = None,
        user_id: str | None = None,
        user_attributes: Attributes | None = None,
        timezone: str | None = None,
    ) -> EndpointView:
        """An endpoint from plain fields, for senders that have rows rather than Pinpoint endpoints."""
        definition: dict[str, Any] = {"EndpointStatus": "ACTIVE", "OptOut": "NONE"}
        if address:
            definition["Address"] = address
        if channel_type:
            definition["ChannelType"] = channel_type
        if attributes:
            definition["Attributes"] = {k: list(v) for k, v in attributes.items()}
        if user_id or user_attributes:
            definition["User"] = {
                **({"UserId": user_id} if user_id else {}),
                **({"UserAttributes": dict(user_attributes)} if user_attributes else {}),
            }
        if timezone:
            definition["Demographic"] = {"Timezone": timezone}
        return cls(endpoint_id, definition)

    def _section(self, name: str) -> dict[str, Any]:
        value = self.definition.get(name)
        return value if isinstance(value, dict) else {}

    @property
    def channel_type(self) -> str | None:
        value = self.definition.get("ChannelType")
        return value if isinstance(value, str) else None

    @property
    def address(self) -> str | None:
        value = self.definition.get("Address")
        return value if isinstance(value, str) and value else None

    @property
    def opt_out(self) -> str:
        value = self.definition.get("OptOut")
        return value if isinstance(value, str) else "NONE"

    @property
    def status(self) -> str:
        value = self.definition.get("EndpointStatus")
        return value if isinstance(value, str) else "ACTIVE"

    @property
    def timezone(self) -> str | None:
        value = self._section("Demographic").get("Timezone")
        return value if isinstance(value, str) and value else None

    @property
    def user_id(self) -> str | None:
        value = self._section("User").get("UserId")
        return value if isinstance(value, str) and value else None

    @property
    def attributes(self) -> Attributes:
        return _attribute_map(self.definition.get("Attributes"))

    @property
    def user_attributes(self) -> Attributes:
        return _attribute_map(self._section("User").get("UserAttributes"))

    def attribute(self, name: str) -> str | None:
        """The first value of endpoint attribute ``name`` (else of the user attribute), or None."""
        values = self.attributes.get(name) or self.user_attributes.get(name)
        return values[0] if values else None


def _attribute_map(value: Any) -> Attributes:
    if not isinstance(value, dict):
        return {}
    return {
        str(k): [str(x) for x in v if isinstance(x, str | int | float)] for k, v in value.items() if isinstance(v, list)
    }


def views(event: HookEvent) -> list[EndpointView]:
    """Every endpoint of the event, in the order Pinpoint sent them; a non-object definition becomes empty."""
    return [EndpointView(str(k), v if isinstance(v, dict) else {}) for k, v in event.endpoints.items()]
