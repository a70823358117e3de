"""The Handlebars subset used to re-render Pinpoint templates."""

from __future__ import annotations

import pytest

from handlers.archiver.renderer import TemplateRenderError, render

ENDPOINT = {
    "Id": "e-1",
    "Attributes": {"Offer": ["10% & more"], "Colors": ["red", "blue"], "Empty": []},
    "User": {"UserId": "u-1", "UserAttributes": {"FirstName": ["Zoë"]}},
    "Demographic": {"Timezone": "Europe/Paris"},
}


def test_variables_and_lists():
    assert (
        render("{{User.UserAttributes.FirstName}} / {{Attributes.Colors}} / {{Id}}", ENDPOINT) == "Zoë / red,blue / e-1"
    )


def test_escaping_only_in_html():
    assert render("{{Attributes.Offer}}", ENDPOINT) == "10% & more"
    assert render("{{Attributes.Offer}}", ENDPOINT, html=True) == "10% &amp; more"
    assert render("{{{Attributes.Offer}}}", ENDPOINT, html=True) == "10% & more"
    assert render("{{x}}", {"x": '<a href="\'`=">'}, html=True) == "&lt;a href&#x3D;&quot;&#x27;&#x60;&#x3D;&quot;&gt;"


def test_dotted_default_substitutions_apply_to_missing_and_empty_values():
    defaults = {"User.UserAttributes.LastName": "friend", "Attributes.Empty": "none", "Attributes.Offer": "unused"}
    template = "{{User.UserAttributes.LastName}} {{Attributes.Empty}} {{Attributes.Offer}} {{Missing}}"
    assert render(template, ENDPOINT, defaults) == "friend none 10% & more "


def test_blocks():
    template = "{{#if Attributes.Empty}}yes{{else}}no{{/if}}-{{#unless Demographic.Timezone}}x{{else}}tz{{/unless}}"
    assert render(template, ENDPOINT) == "no-tz"
    assert render("{{#each Attributes.Colors}}[{{@index}}:{{this}}]{{/each}}", ENDPOINT) == "[0:red][1:blue]"
    assert render("{{#with Demographic}}{{Timezone}} {{Id}}{{/with}}", ENDPOINT) == "Europe/Paris e-1"
    assert render("a{{! a comment }}b{{!-- {{nested}} --}}c", ENDPOINT) == "abc"


@pytest.mark.parametrize("template", ["{{#eq a b}}x{{/eq}}", "{{upper Id}}", "{{#if x}}open", "{{/if}}"])
def test_unsupported_or_malformed_templates_raise(template):
    with pytest.raises(TemplateRenderError):
        render(template, ENDPOINT)
