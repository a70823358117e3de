"""Make fakes and moto share one client under ``mock_aws``.

botocore's endpoint *emits* ``before-send`` to every handler and takes the first non-None answer, so it does not
stop at the first fake that answers. Under ``mock_aws`` that breaks composition in two ways (``base.py`` alone):

1. after a fake answered, moto's stubber still runs, and raises ``NotImplementedError`` for an operation it lacks
   (say ``PutSuppressedDestination``), or executes it a second time for one it has;
2. for an operation no fake implements, ``base._unanswered`` (registered on the service-specific event, so called
   before moto's catch-all ``before-send``) answers 501 before moto can answer (say SESv2 ``SendEmail``).

``install(client)`` replaces both with one last handler that knows which fakes are attached: an operation a fake
implements is left to it, any other goes to moto when ``mock_aws`` is active, else gets the loud 501.
"""

from __future__ import annotations

from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from tests.fakes.base import FakeServiceError, RestJsonFake, _error_response, _unanswered


def install(client: Any) -> Any:
    """Route this client's unanswered requests to moto (if active) and never call moto after a fake answered."""
    if getattr(client.meta, "_englake_moto_compat", False):
        return client
    events = client.meta.events
    event = f"before-send.{client.meta.service_model.service_id.hyphenize()}"
    stubber = _moto_stubber()
    if stubber is not None:
        events.unregister("before-send", stubber)
    events.unregister(event, _unanswered)
    client.meta._englake_fake_fallback = True  # base.attach must not add _unanswered again

    def fallback(request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        operation = kwargs.get("event_name", "").rsplit(".", 1)[-1]
        if any(hasattr(fake, operation) for fake in _fakes(events, kwargs.get("event_name", event))):
            return None  # a fake answered it
        if stubber is not None and stubber.enabled:
            try:
                return stubber(request=request, **kwargs)
            except NotImplementedError as error:
                return _error_response(request.url, FakeServiceError("NotImplemented", str(error), 501))
        return _unanswered(request, **kwargs)

    events.register_last(event, fallback)
    client.meta._englake_moto_compat = True
    return client


def _fakes(events: Any, event_name: str) -> list[RestJsonFake]:
    handlers = events._emitter._handlers.prefix_search(event_name)
    return [h.__self__ for h in handlers if isinstance(getattr(h, "__self__", None), RestJsonFake)]


def _moto_stubber() -> Any:
    try:
        from moto.core.models import botocore_stubber
    except ImportError:  # moto not installed: nothing to reconcile
        return None
    return botocore_stubber


class MotoCompatibleFake(RestJsonFake):
    """A ``RestJsonFake`` that also composes with moto on the same client (see module docstring)."""

    def attach(self, client: Any) -> Any:
        super().attach(client)
        return install(client)
