"""``englake report``: one self-contained HTML page of charts over the built models (DuckDB or Athena).

The page holds plotly.js inline, so it opens from a file, a mail attachment or an S3 object with no network. Each
chart reads one mart; a chart with no rows says so instead of drawing empty axes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from englake.storage import LakeStore

#: Runs a SQL query against the built models and returns rows as dicts (DuckDB file or Athena schema).
Query = Callable[[str], list[dict[str, Any]]]

#: Campaigns drawn in the performance chart (the most-sent ones); the rest would make the legend unreadable.
TOP_CAMPAIGNS = 8
#: Amazon SES reviews an account at these rates (https://docs.aws.amazon.com/ses/latest/dg/faqs-enforcement.html);
#: the dbt vars englake__ses_bounce_rate_limit / englake__ses_complaint_rate_limit hold the same numbers.
SES_BOUNCE_RATE_LIMIT = 0.05
SES_COMPLAINT_RATE_LIMIT = 0.001


@dataclass
class Chart:
    """One section of the page: a title, a sentence saying how to read it, and a plotly figure (or nothing)."""

    title: str
    caption: str
    figure: Any | None  # plotly.graph_objects.Figure; None when there is no data

    @property
    def populated(self) -> bool:
        return self.figure is not None


def campaign_performance(query: Query) -> Chart:
    import plotly.graph_objects as go

    rows = query(
        f"""
        with top as (
            select campaign_id from rpt_campaign_performance_daily where channel = 'email'
            group by campaign_id order by sum(messages_sent) desc, campaign_id limit {TOP_CAMPAIGNS}
        )
        select coalesce(d.campaign_name, r.campaign_id) as campaign, r.sent_date,
               sum(r.messages_sent) as sent, sum(r.messages_delivered) as delivered,
               sum(r.human_unique_opens) as opens, sum(r.human_unique_clicks) as clicks
        from rpt_campaign_performance_daily as r
        join top on r.campaign_id = top.campaign_id
        left join dim_campaigns as d on r.campaign_id = d.campaign_id
        where r.channel = 'email'
        group by 1, 2 order by 1, 2
        """
    )
    caption = (
        "Unique human opens and clicks per delivered message, by the day the message was sent "
        f"(the {TOP_CAMPAIGNS} email campaigns with the most sends; opens SES marks as a machine's are left out)."
    )
    if not rows:
        return Chart("Campaign performance by send date", caption, None)
    figure = go.Figure()
    for campaign in sorted({row["campaign"] for row in rows}):
        mine = [row for row in rows if row["campaign"] == campaign]
        figure.add_trace(
            go.Scatter(
                x=[row["sent_date"] for row in mine],
                y=[_rate(row["opens"], row["delivered"]) for row in mine],
                mode="lines+markers",
                name=f"{campaign} · opens",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=[row["sent_date"] for row in mine],
                y=[_rate(row["clicks"], row["delivered"]) for row in mine],
                mode="lines",
                line={"dash": "dot"},
                name=f"{campaign} · clicks",
            )
        )
    figure.update_layout(yaxis={"title": "rate", "tickformat": ".0%"}, xaxis={"title": "send date"})
    return Chart("Campaign performance by send date", caption, figure)


def deliverability(query: Query) -> Chart:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = query(
        "select configuration_set, sent_date, messages_sent, bounce_rate, complaint_rate "
        "from rpt_deliverability_daily order by configuration_set, sent_date"
    )
    caption = (
        "Hard-bounce and complaint rates per configuration set and send date, against the rates at which Amazon SES "
        f"reviews an account ({SES_BOUNCE_RATE_LIMIT:.0%} bounces, {SES_COMPLAINT_RATE_LIMIT:.1%} complaints)."
    )
    if not rows:
        return Chart("Deliverability by configuration set", caption, None)
    figure = make_subplots(rows=1, cols=2, subplot_titles=("bounce rate", "complaint rate"))
    for config_set in sorted({row["configuration_set"] for row in rows}):
        mine = [row for row in rows if row["configuration_set"] == config_set]
        dates = [row["sent_date"] for row in mine]
        figure.add_trace(
            go.Scatter(x=dates, y=[row["bounce_rate"] for row in mine], name=config_set, legendgroup=config_set),
            row=1,
            col=1,
        )
        figure.add_trace(
            go.Scatter(
                x=dates,
                y=[row["complaint_rate"] for row in mine],
                name=config_set,
                legendgroup=config_set,
                showlegend=False,
            ),
            row=1,
            col=2,
        )
    figure.add_hline(y=SES_BOUNCE_RATE_LIMIT, line={"color": "red", "dash": "dash"}, row=1, col=1)
    figure.add_hline(y=SES_COMPLAINT_RATE_LIMIT, line={"color": "red", "dash": "dash"}, row=1, col=2)
    figure.update_yaxes(tickformat=".1%")
    return Chart("Deliverability by configuration set", caption, figure)


def sms_delivery_and_cost(query: Query) -> Chart:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = query(
        "select iso_country_code, sent_date, messages_sent, messages_delivered, cost_usd "
        "from rpt_sms_daily order by iso_country_code, sent_date"
    )
    caption = "SMS cost (US dollars, stacked by destination country) and delivery rate, by send date."
    if not rows:
        return Chart("SMS delivery and cost by country", caption, None)
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, subplot_titles=("cost (USD)", "delivery rate"))
    for country in sorted({row["iso_country_code"] for row in rows}):
        mine = [row for row in rows if row["iso_country_code"] == country]
        dates = [row["sent_date"] for row in mine]
        figure.add_trace(
            go.Bar(x=dates, y=[row["cost_usd"] for row in mine], name=country, legendgroup=country), row=1, col=1
        )
        figure.add_trace(
            go.Scatter(
                x=dates,
                y=[_rate(row["messages_delivered"], row["messages_sent"]) for row in mine],
                name=country,
                legendgroup=country,
                showlegend=False,
            ),
            row=2,
            col=1,
        )
    figure.update_layout(barmode="stack")
    figure.update_yaxes(tickformat=".0%", row=2, col=1)
    return Chart("SMS delivery and cost by country", caption, figure)


def segment_sizes(runs: Iterable[dict[str, Any]]) -> Chart:
    """Members per segment after each sync run (from the run reports kept in the lake)."""
    import plotly.graph_objects as go

    points: dict[str, list[tuple[str, int]]] = {}
    for run in sorted(runs, key=lambda run: run.get("started_at", "")):
        for segment in run.get("segments", []):
            points.setdefault(segment["segment"], []).append((run["started_at"], segment["after"]))
    caption = "Endpoints in each segment after every segment sync run (dry runs included, as they were computed)."
    if not points:
        return Chart("Segment sizes over sync runs", caption, None)
    figure = go.Figure()
    for segment, series in sorted(points.items()):
        figure.add_trace(
            go.Scatter(x=[at for at, _ in series], y=[n for _, n in series], mode="lines+markers", name=segment)
        )
    figure.update_layout(yaxis={"title": "endpoints"}, xaxis={"title": "sync run"})
    return Chart("Segment sizes over sync runs", caption, figure)


def quarantine_by_reason(query: Query) -> Chart:
    import plotly.graph_objects as go

    rows = query("select quarantine_reason as reason, count(*) as n from lake_quarantine group by 1 order by 2 desc")
    caption = "Records the lake could not read as events, by reason (englake lake quarantine lists them)."
    if not rows:
        return Chart("Quarantine by reason", caption, None)
    figure = go.Figure(go.Bar(x=[row["n"] for row in rows], y=[row["reason"] for row in rows], orientation="h"))
    figure.update_layout(xaxis={"title": "records"}, yaxis={"autorange": "reversed"})
    return Chart("Quarantine by reason", caption, figure)


def sync_runs(store: LakeStore) -> list[dict[str, Any]]:
    """Every segment sync run report kept in the lake (``sync/<destination>/runs/<run_id>.json``)."""
    from segmentation.snapshot import SYNC_PREFIX

    return [
        json.loads(store.get(item.key))
        for item in store.list(SYNC_PREFIX)
        if "/runs/" in item.key and item.key.endswith(".json")
    ]


def build_charts(query: Query, runs: Iterable[dict[str, Any]]) -> list[Chart]:
    return [
        campaign_performance(query),
        deliverability(query),
        sms_delivery_and_cost(query),
        segment_sizes(runs),
        quarantine_by_reason(query),
    ]


def render_html(charts: list[Chart], *, title: str, generated_at: datetime | None = None) -> str:
    """One HTML page with plotly.js inline and every chart; charts with no data say so."""
    import plotly.io as pio

    moment = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    sections = []
    first = True
    for chart in charts:
        if chart.figure is None:
            body = '<p class="empty">No data yet.</p>'
        else:
            chart.figure.update_layout(template="plotly_white", height=420, margin={"t": 40, "l": 60, "r": 20})
            body = pio.to_html(chart.figure, full_html=False, include_plotlyjs="inline" if first else False)
            first = False
        sections.append(
            f'<section class="chart"><h2>{html.escape(chart.title)}</h2>'
            f"<p>{html.escape(chart.caption)}</p>{body}</section>"
        )
    if first:  # no chart had data: still a valid page, no script needed
        sections.insert(0, '<p class="empty">The models hold no data yet: run englake models build.</p>')
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}}
h1{{font-size:1.6rem}}h2{{font-size:1.2rem;margin-top:2.5rem}}p{{color:#555}}.empty{{font-style:italic}}</style>
</head><body><h1>{html.escape(title)}</h1><p>Generated {moment} by englake.</p>
{"".join(sections)}
</body></html>
"""


def _rate(numerator: float | None, denominator: float | None) -> float | None:
    return None if not denominator else (numerator or 0) / denominator
