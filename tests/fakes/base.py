"""A base for faithful fakes of AWS services that moto lacks: REST-JSON, and JSON 1.0/1.1 (``X-Amz-Target``).

A fake attaches below a real boto3 client, on botocore's ``before-send`` event (as moto does): the client validates
and serializes the request exactly as in production, the fake reads the HTTP request back into the operation's
parameters, and answers with an HTTP response that botocore parses, retries and raises on as it would a real one.
So a fake that answers 429 ``TooManyRequestsException`` exercises botocore's real retry and adaptive rate logic.

Subclasses implement one method per operation, named as in the API (``UpdateEndpointsBatch``), taking the
operation's parameters as boto3 would be called with them and returning the output shape as a dict. They raise
``FakeServiceError`` for service errors.

The protocol comes from the service model when a fake is attached: REST-JSON services (Pinpoint, SESv2, Customer
Profiles) route on method and path; JSON-protocol services (``pinpoint-sms-voice-v2``) route on the
``X-Amz-Target`` header, read the body as the parameters, and answer errors as ``{"__type", "message"}``. For the
JSON protocol the fake's output is also checked against the operation's output shape (botocore's validator), so a
fake cannot answer what the real service could not.

Several fakes of one service compose on one client (say endpoints from one fake, templates from another): a fake
passes on operations it does not implement, then moto gets its turn (under ``mock_aws``), and a request nobody
answers gets a 501 ``NotImplemented`` error naming the operation, never a real network call.

botocore *emits* ``before-send`` to every handler and keeps the first non-None answer, so it would also run moto's
stubber after a fake answered (moto raises NotImplementedError for operations it lacks, or runs the call twice).
``attach`` therefore takes moto's stubber off the faked client and calls it itself, last, only for operations no
fake implements.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import ParamValidator


class FakeServiceError(Exception):
    """A service error, serialized as the service's protocol does (``x-amzn-ErrorType`` / ``__type`` + message)."""

    def __init__(self, code: str, message: str, status: int = 400, fields: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        #: Modeled error members (JSON protocol), e.g. ``{"Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT"}``.
        self.fields = fields or {}


def bad_request(message: str) -> FakeServiceError:
    return FakeServiceError("BadRequestException", message, 400)


def not_found(message: str) -> FakeServiceError:
    return FakeServiceError("NotFoundException", message, 404)


def throttled(message: str = "Rate exceeded") -> FakeServiceError:
    return FakeServiceError("TooManyRequestsException", message, 429)


class _RawBody(io.BytesIO):
    """The ``raw`` object botocore reads a response body from."""

    def stream(self, **_kwargs: Any):
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


@dataclass
class Call:
    operation: str
    params: dict[str, Any]
    status: int


@dataclass
class _Route:
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    literal_query: dict[str, str] = field(default_factory=dict)


class RestJsonFake:
    """Route serialized requests (REST-JSON or JSON protocol) of one service to ``self.<OperationName>(**params)``."""

    #: botocore service name (``boto3.client(<this>)``), e.g. "pinpoint", "sesv2", "customer-profiles".
    service_name: str = ""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.RLock()
        self._routes: list[_Route] | None = None
        #: JSON protocol (X-Amz-Target) operations by name, when the service speaks it.
        self._targets: dict[str, OperationModel] | None = None
        self._faults: list[tuple[str, Callable[[dict[str, Any]], FakeServiceError | None]]] = []

    # -- wiring -------------------------------------------------------------------------------------------------

    def attach(self, client: Any) -> Any:
        """Answer this client's requests from the fake; returns the client for chaining."""
        model: ServiceModel = client.meta.service_model
        if model.service_name != self.service_name:
            raise ValueError(f"{type(self).__name__} fakes {self.service_name!r}, not {model.service_name!r}")
        if model.protocol in _JSON_PROTOCOLS:
            if self._targets is None:
                self._targets = {name: model.operation_model(name) for name in model.operation_names}
        elif self._routes is None:
            self._routes = _build_routes(model)
        event = f"before-send.{model.service_id.hyphenize()}"
        client.meta.events.register_first(event, self._on_send)
        if not getattr(client.meta, "_englake_fake_fallback", False):
            _install_fallback(client, event)
        return client

    def inject_fault(self, operation: str, fault: Callable[[dict[str, Any]], FakeServiceError | None]) -> None:
        """Before ``operation`` runs, call ``fault(params)``; a returned error is answered instead of the result."""
        self._faults.append((operation, fault))

    def clear_faults(self) -> None:
        self._faults.clear()

    def call_counts(self) -> Counter[str]:
        return Counter(call.operation for call in self.calls)

    # -- request handling ---------------------------------------------------------------------------------------

    def _on_send(self, request: AWSPreparedRequest, **_kwargs: Any) -> AWSResponse | None:
        if self._targets is not None:
            return self._on_json_send(request)
        route, path_values = self._match(request)
        name = route.operation.name
        handler = getattr(self, name, None)
        if handler is None:
            return None  # another fake, or moto, may answer it
        params = _read_params(route, path_values, request)
        status = route.operation.http.get("responseCode", 200)
        output = self._run(name, handler, params, status)
        if isinstance(output, FakeServiceError):
            return _error_response(request.url, output)
        return _success_response(request.url, route.operation, status, output)

    def _run(self, name: str, handler: Callable[..., Any], params: dict[str, Any], status: int) -> Any:
        """Faults, then the operation; the call is recorded. Returns the output, or the error to answer."""
        with self._lock:
            try:
                for operation, fault in self._faults:
                    if operation == name and (error := fault(params)) is not None:
                        raise error
                output = handler(**params) or {}
            except FakeServiceError as error:
                self.calls.append(Call(name, params, error.status))
                return error
            self.calls.append(Call(name, params, status))
            return output

    def _on_json_send(self, request: AWSPreparedRequest) -> AWSResponse | None:
        assert self._targets is not None
        target = request.headers.get("X-Amz-Target", "")
        if isinstance(target, bytes):
            target = target.decode()
        name = target.rpartition(".")[2]
        operation = self._targets.get(name)
        if operation is None:
            raise AssertionError(f"{type(self).__name__}: no operation for X-Amz-Target {target!r}")
        handler = getattr(self, name, None)
        if handler is None:
            return None  # another fake, or moto, may answer it
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        params = json.loads(body) if body else {}
        output = self._run(name, handler, params, 200)
        if isinstance(output, FakeServiceError):
            return _json_error_response(request.url, output)
        _check_output(operation, output)
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": str(uuid.uuid4())}
        return AWSResponse(request.url, 200, headers, _RawBody(json.dumps(output, default=str).encode()))

    def _match(self, request: AWSPreparedRequest) -> tuple[_Route, dict[str, str]]:
        assert self._routes is not None
        parts = urlsplit(request.url)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        for route in self._routes:
            if route.method != request.method:
                continue
            match = route.pattern.fullmatch(parts.path)
            if match and all(query.get(k) == v for k, v in route.literal_query.items()):
                return route, {k: unquote(v) for k, v in match.groupdict().items()}
        raise AssertionError(f"{type(self).__name__}: no operation matches {request.method} {request.url}")


#: botocore protocol names routed by ``X-Amz-Target`` instead of method and path.
_JSON_PROTOCOLS = ("json",)


def _check_output(operation: OperationModel, output: dict[str, Any]) -> None:
    """Fail loudly when a fake answers something the operation's output shape does not allow."""
    shape = operation.output_shape
    if shape is None:
        return
    report = ParamValidator().validate(json.loads(json.dumps(output, default=str)), shape)
    # Timestamps travel as text or epoch numbers on the wire; botocore's validator wants datetimes: ignore those.
    errors = [line for line in report.generate_report().splitlines() if line and "timestamp" not in line.lower()]
    errors = [line for line in errors if not line.startswith("Parameter validation failed")]
    if errors:
        raise AssertionError(f"{operation.name} output does not match the service model: {'; '.join(errors)}")


def _json_error_response(url: str, error: FakeServiceError) -> AWSResponse:
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": error.code}
    body = {"__type": error.code, "message": error.message, "Message": error.message, **error.fields}
    return AWSResponse(url, error.status, headers, _RawBody(json.dumps(body).encode()))


def _install_fallback(client: Any, event: str) -> None:
    """The last handler of a faked client: moto (when active) for what no fake implements, else a loud 501."""
    events = client.meta.events
    stubber = _moto_stubber()
    if stubber is not None:
        # This client only (other clients keep moto); one created before moto was imported never had it.
        with contextlib.suppress(AttributeError, ValueError):
            events.unregister("before-send", stubber)

    def fallback(request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        event_name = kwargs.get("event_name", event)
        operation = event_name.rsplit(".", 1)[-1]
        handlers = events._emitter._handlers.prefix_search(event_name)
        if any(hasattr(getattr(h, "__self__", None), operation) for h in handlers if _is_fake(h)):
            return None  # a fake answered it
        if stubber is not None and stubber.enabled:
            try:
                response = stubber(request=request, **kwargs)
            except NotImplementedError as error:
                response = _error_response(request.url, FakeServiceError("NotImplemented", str(error), 501))
            if response is not None:
                return response
        error = FakeServiceError("NotImplemented", f"no fake (and not moto) answers {operation} {request.url}", 501)
        return _error_response(request.url, error)

    events.register_last(event, fallback)
    client.meta._englake_fake_fallback = True


def _is_fake(handler: Any) -> bool:
    return isinstance(getattr(handler, "__self__", None), RestJsonFake)


def _moto_stubber() -> Any:
    try:
        from moto.core.models import botocore_stubber
    except ImportError:  # moto not installed: nothing to reconcile
        return None
    return botocore_stubber


def _build_routes(model: ServiceModel) -> list[_Route]:
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        uri = operation.http["requestUri"]
        path, _, literal = uri.partition("?")
        regex = ""
        for token in re.split(r"(\{[^}]+\})", path):
            if token.startswith("{"):
                label = token[1:-1]
                greedy = label.endswith("+")
                label = label.rstrip("+")
                regex += f"(?P<{_group(label)}>{'.+' if greedy else '[^/]+'})"
            else:
                regex += re.escape(token)
        literal_query = {k: v[0] for k, v in parse_qs(literal, keep_blank_values=True).items()}
        routes.append(_Route(operation, operation.http["method"], re.compile(regex), literal_query))
    # Most specific first: literal query strings, then longer literal paths.
    routes.sort(key=lambda r: (-len(r.literal_query), -len(r.pattern.pattern.replace("[^/]+", ""))))
    return routes


def _group(label: str) -> str:
    return "p_" + re.sub(r"\W", "_", label)


def _read_params(route: _Route, path_values: dict[str, str], request: AWSPreparedRequest) -> dict[str, Any]:
    shape = route.operation.input_shape
    if shape is None:
        return {}
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    document = json.loads(body) if body else {}
    query = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
    params: dict[str, Any] = {}
    payload = shape.serialization.get("payload")
    for member, member_shape in shape.members.items():
        location = member_shape.serialization.get("location")
        wire = member_shape.serialization.get("name", member)
        if location == "uri":
            params[member] = path_values[_group(wire)]
        elif location == "querystring":
            if wire in query:
                values = query[wire]
                params[member] = values if member_shape.type_name == "list" else _scalar(member_shape, values[0])
        elif location == "header":
            if wire in request.headers:
                params[member] = request.headers[wire]
        elif member == payload:
            if document:
                params[member] = document
        elif wire in document:
            params[member] = document[wire]
    return params


def _scalar(shape: Shape, value: str) -> Any:
    if shape.type_name in ("integer", "long"):
        return int(value)
    if shape.type_name == "boolean":
        return value.lower() == "true"
    return value


def _success_response(url: str, operation: OperationModel, status: int, output: dict[str, Any]) -> AWSResponse:
    shape = operation.output_shape
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}
    body: Any = {}
    if shape is not None:
        payload = shape.serialization.get("payload")
        for member, member_shape in shape.members.items():
            if member not in output:
                continue
            location = member_shape.serialization.get("location")
            if location == "header":
                headers[member_shape.serialization.get("name", member)] = str(output[member])
            elif location == "statusCode":
                status = int(output[member])
            elif member == payload:
                body = output[member]
            else:
                body[member_shape.serialization.get("name", member)] = output[member]
    return AWSResponse(url, status, headers, _RawBody(json.dumps(body, default=str).encode()))


def _error_response(url: str, error: FakeServiceError) -> AWSResponse:
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": error.code}
    body = {"Message": error.message, "message": error.message, "RequestID": str(uuid.uuid4())}
    return AWSResponse(url, error.status, headers, _RawBody(json.dumps(body).encode()))
