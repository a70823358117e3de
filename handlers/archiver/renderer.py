"""A Handlebars subset, enough for Amazon Pinpoint message templates.

Supported: ``{{Path.To.Value}}`` (escaped when the part is HTML), ``{{{raw}}}``, comments (``{{! }}``,
``{{!-- --}}``), and the block helpers ``#if`` / ``#unless`` (with ``{{else}}``), ``#each`` (``{{this}}``,
``{{@index}}``) and ``#with``. Any other helper raises ``TemplateRenderError`` naming it: an archive that silently
differs from what was sent is worse than a message in the dead-letter queue.

Pinpoint semantics kept:
- endpoint ``Attributes`` / ``UserAttributes`` values are lists; a list renders joined by ``,`` (``["a","b"]`` →
  ``a,b``), as Handlebars renders a JavaScript array;
- ``DefaultSubstitutions`` is a JSON object with *flat dotted* keys (``"User.UserAttributes.FirstName"``); a variable
  whose value is missing or empty takes the default for its exact path (the reference merged those keys into the
  context, where dotted lookup never finds them, so defaults never applied);
- HTML escaping as Handlebars does it (``& < > " ' ` =``), and only in the HTML part: subjects, text parts, SMS and
  push bodies are not HTML, so escaping there would corrupt them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "`": "&#x60;", "=": "&#x3D;"}
_ESCAPE = re.compile("[&<>\"'`=]")
_TOKEN = re.compile(
    r"\{\{!--.*?--\}\}|\{\{!.*?\}\}|\{\{\{\s*(?P<raw>.+?)\s*\}\}\}|\{\{~?\s*(?P<tag>.+?)\s*~?\}\}", re.S
)
_BLOCKS = ("if", "unless", "each", "with")
_PATH = re.compile(r"^(@index|@key|this|\.|[A-Za-z_@][\w\-]*(\.[\w\-]+)*|this\.[\w\-.]+)$")


class TemplateRenderError(ValueError):
    """A template uses something this renderer does not support, or is malformed; names the construct."""


@dataclass
class _Node:
    kind: str  # "text" | "var" | "raw" | "block"
    value: str = ""
    helper: str = ""
    children: list[_Node] = field(default_factory=list)
    inverse: list[_Node] = field(default_factory=list)


def render(template: str, context: dict[str, Any], defaults: dict[str, Any] | None = None, html: bool = False) -> str:
    """Render ``template`` against ``context``; ``defaults`` are Pinpoint's DefaultSubstitutions."""
    nodes = _parse(template)
    return _render(nodes, [context], defaults or {}, html, {})


def _parse(template: str) -> list[_Node]:
    root: list[_Node] = []
    stack: list[tuple[_Node, list[_Node]]] = []
    current = root
    position = 0
    for match in _TOKEN.finditer(template):
        if match.start() > position:
            current.append(_Node("text", template[position : match.start()]))
        position = match.end()
        if match.group("raw") is not None:
            current.append(_Node("raw", _path(match.group("raw"))))
            continue
        tag = match.group("tag")
        if tag is None:
            continue  # a comment
        if tag.startswith("#"):
            helper, _, argument = tag[1:].strip().partition(" ")
            if helper not in _BLOCKS:
                raise TemplateRenderError(f"unsupported block helper {{{{#{helper}}}}}")
            node = _Node("block", _path(argument.strip()), helper=helper)
            current.append(node)
            stack.append((node, current))
            current = node.children
        elif tag == "else":
            if not stack:
                raise TemplateRenderError("{{else}} outside a block")
            current = stack[-1][0].inverse
        elif tag.startswith("/"):
            name = tag[1:].strip()
            if not stack or stack[-1][0].helper != name:
                raise TemplateRenderError(f"unexpected {{{{/{name}}}}}")
            current = stack.pop()[1]
        else:
            current.append(_Node("var", _path(tag)))
    if stack:
        raise TemplateRenderError(f"unclosed {{{{#{stack[-1][0].helper}}}}}")
    if position < len(template):
        current.append(_Node("text", template[position:]))
    return root


def _path(expression: str) -> str:
    if not _PATH.match(expression):
        raise TemplateRenderError(f"unsupported expression {{{{{expression}}}}} (helpers are not supported)")
    return expression


def _render(nodes: list[_Node], scopes: list[Any], defaults: dict[str, Any], html: bool, data: dict) -> str:
    out: list[str] = []
    for node in nodes:
        if node.kind == "text":
            out.append(node.value)
        elif node.kind in ("var", "raw"):
            text = _text(_value(node.value, scopes, defaults, data))
            out.append(escape(text) if html and node.kind == "var" else text)
        else:
            out.append(_block(node, scopes, defaults, html, data))
    return "".join(out)


def _block(node: _Node, scopes: list[Any], defaults: dict[str, Any], html: bool, data: dict) -> str:
    value = _value(node.value, scopes, defaults, data)
    if node.helper in ("if", "unless"):
        chosen = node.children if _truthy(value) == (node.helper == "if") else node.inverse
        return _render(chosen, scopes, defaults, html, data)
    if node.helper == "with":
        if not _truthy(value):
            return _render(node.inverse, scopes, defaults, html, data)
        return _render(node.children, [*scopes, value], defaults, html, data)
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value or []))
    if not items:
        return _render(node.inverse, scopes, defaults, html, data)
    return "".join(
        _render(node.children, [*scopes, item], defaults, html, {"@index": index, "@key": index})
        for index, (_, item) in enumerate(items)
    )


def _value(path: str, scopes: list[Any], defaults: dict[str, Any], data: dict) -> Any:
    if path.startswith("@"):
        return data.get(path)
    if path in ("this", "."):
        return scopes[-1]
    parts = path.removeprefix("this.").split(".")
    value = _lookup(scopes[-1], parts)
    if value is None and not path.startswith("this.") and len(scopes) > 1:
        value = _lookup(scopes[0], parts)  # Pinpoint templates name endpoint fields from the root
    if value in (None, "", []) and path in defaults:
        return defaults[path]
    return value


def _lookup(scope: Any, parts: list[str]) -> Any:
    value = scope
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", 0, [], {})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def escape(text: str) -> str:
    """Handlebars' HTML escaping."""
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], text)
