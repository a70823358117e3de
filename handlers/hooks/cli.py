"""``englake hooks …``: try a provider on a hook event, or render a template for an endpoint, locally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from englake.console import console, err_console
from englake.errors import ConfigError, InputError
from englake.output import NOT_APPLICABLE, Column, FormatOption, OutputFormat, WideOption, emit

app = typer.Typer(
    help="Campaign hooks: try a send-time attribute provider or render a template locally.", no_args_is_help=True
)

#: ``englake hooks filter``: one row per endpoint of the event, one added attribute name per line, so the table fits
#: 80 columns (csv and json keep the names comma-separated in one field).
FILTER_COLUMNS = (
    Column("endpoint_id", "endpoint", max_width=24),
    Column("outcome"),
    Column("attributes_added", "attributes added", render=lambda names: names.replace(", ", "\n") or NOT_APPLICABLE),
)

EventFile = Annotated[Path, typer.Argument(help="A FILTER hook event (JSON), as Pinpoint sends it.")]


def _json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what} file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the {what}: {error}") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path}: not JSON ({error.msg}, line {error.lineno})") from None


def _settings(**overrides: Any):
    from pydantic import ValidationError

    from handlers.hooks.config import HookSettings

    try:
        return HookSettings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        raise ConfigError(str(error.errors()[0]["msg"])) from None


@app.command("filter")
def filter_command(
    event_file: EventFile,
    provider: Annotated[str, typer.Option(help="lookup, http or none.")] = "lookup",
    url: Annotated[str | None, typer.Option(help="HTTP provider URL with {key}.")] = None,
    duckdb: Annotated[
        str | None, typer.Option(help="DuckDB file of the lookup table (default lake/englake.duckdb).")
    ] = None,
    relation: Annotated[str | None, typer.Option(help="Lookup relation (default endpoint_offers).")] = None,
    key: Annotated[str | None, typer.Option(help="endpoint_id, user_id or attribute:<Name>.")] = None,
    budget: Annotated[float | None, typer.Option(help="Time budget in seconds.")] = None,
    fallback: Annotated[
        str | None, typer.Option(help='Fallback attributes as JSON, e.g. \'{"Offer": ["…"]}\'.')
    ] = None,
    templates: Annotated[bool, typer.Option(help="Also render external templates (the template hook).")] = False,
    output: Annotated[Path | None, typer.Option(help="Write the hook's response (JSON) here.")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
    wide: WideOption = False,
) -> None:
    """Run the FILTER hook on EVENT_FILE locally (every campaign in scope) and show what each endpoint got."""
    from pydantic import ValidationError

    from handlers.hooks.filter_hook import HookScope, apply_filter
    from handlers.hooks.models import HookEvent, invalid_fields

    settings = _settings(
        provider=provider,
        provider_url=url,
        duckdb_path=duckdb,
        lookup_relation=relation,
        provider_key=key,
        budget_seconds=budget,
        fallback_attributes=fallback,
    )
    try:
        event = HookEvent.model_validate(_json(event_file, "hook event"))
    except ValidationError as error:
        raise InputError(f"{event_file}: not a Pinpoint hook event (check {invalid_fields(error)})") from None
    try:
        chosen = settings.build_provider()
    except ValueError as error:
        raise ConfigError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - e.g. the DuckDB file cannot be opened: one clear line
        raise ConfigError(f"cannot open the {provider} provider: {error}") from None
    decorate = settings.renderer().decorate if templates else None
    result = apply_filter(event, chosen, HookScope(frozenset({"*"})), settings.budget(), decorate=decorate)
    assert result.personalisation is not None
    rows = (
        {
            "endpoint_id": endpoint_id,
            "outcome": outcome.reason,
            "attributes_added": ", ".join(sorted(outcome.attributes)),
        }
        for endpoint_id, outcome in result.personalisation.outcomes.items()
    )
    title = f"{chosen.name}: {len(result.response)} of {len(event.endpoints)} endpoints returned"
    emit(rows, FILTER_COLUMNS, fmt, title=title, wide=wide)
    # csv and json are the data alone on stdout; the run's footnotes go to stderr then.
    notes = console if fmt is OutputFormat.TABLE else err_console
    notes.print(f"{result.personalisation.seconds:.3f} s; failures: {result.personalisation.failures}")
    if output:
        output.write_text(json.dumps(result.response, indent=2, ensure_ascii=False))
        notes.print(f"response written to {output}")


@app.command("render")
def render_command(
    template_file: Annotated[Path, typer.Argument(help='Template JSON {"Subject", "HtmlPart", "TextPart"}.')],
    endpoint_file: Annotated[Path, typer.Argument(help="One endpoint definition (JSON).")],
    endpoint_id: Annotated[str, typer.Option(help="The endpoint's id ({{EndpointId}}).")] = "endpoint-1",
) -> None:
    """Render a template for one endpoint, as the template hook would (HTML part escaped)."""
    from handlers.hooks.templates import Template, TemplateRenderer

    template = Template.from_mapping(_json(template_file, "template"))
    if template is None:
        raise InputError(f"{template_file}: not a template (needs Subject and an HtmlPart or TextPart string)")
    definition = _json(endpoint_file, "endpoint")
    if not isinstance(definition, dict):
        raise InputError(f"{endpoint_file}: an endpoint definition is a JSON object")
    rendered = TemplateRenderer(template).render_endpoint(endpoint_id, definition)
    console.print("[bold]Subject:[/bold] " + escape(rendered.subject), markup=True, highlight=False, soft_wrap=True)
    if rendered.text is not None:
        console.print("[bold]Text:[/bold]", markup=True)
        console.print(rendered.text, markup=False, highlight=False, soft_wrap=True)
    if rendered.html is not None:
        console.print("[bold]HTML:[/bold]", markup=True)
        console.print(rendered.html, markup=False, highlight=False, soft_wrap=True)


def _pinpoint(region: str | None) -> Any:
    from englake.aws import client

    return client("pinpoint", region)


@app.command("attach")
def attach_command(
    application_id: Annotated[str, typer.Option(help="Pinpoint project id.")],
    campaign_id: Annotated[str, typer.Option(help="The one campaign to attach to.")],
    function: Annotated[str, typer.Option(help="Function ARN (FilterHookFunctionArn, or VoiceChannelFunctionArn).")],
    voice: Annotated[bool, typer.Option(help="Deliver the campaign through the voice channel.")] = False,
    endpoint_types: Annotated[str, typer.Option(help="Voice: endpoint types, comma-separated.")] = "VOICE,SMS",
    message: Annotated[str | None, typer.Option(help="Voice: the spoken message (CustomMessage.Data).")] = None,
    region: Annotated[str | None, typer.Option(envvar="ENGLAKE_AWS_REGION", help="AWS Region.")] = None,
) -> None:
    """Attach a hook to ONE campaign (UpdateCampaign); the project's default settings are left alone."""
    from botocore.exceptions import BotoCoreError, ClientError

    from handlers.hooks.campaigns import attach, custom_delivery_request, filter_hook_request

    if voice:
        if not message:
            raise ConfigError("--voice needs --message (the text the contact flow speaks)")
        types = [t.strip().upper() for t in endpoint_types.split(",") if t.strip()]
        request = custom_delivery_request(function, types, message)
    else:
        request = filter_hook_request(function)
    try:
        campaign = attach(_pinpoint(region), application_id, campaign_id, request)
    except (ClientError, BotoCoreError) as error:
        raise ConfigError(f"campaign {campaign_id} of {application_id}: {error}") from None
    how = "custom delivery (voice channel)" if voice else "FILTER hook"
    console.print(f"campaign {campaign['Id']} version {campaign.get('Version')}: {how} → {function}")
