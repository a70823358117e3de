"""Pinpoint app events: sessions with sign-ins, product views, carts, purchases and webinar registrations, plus the
segment "anchors" (engaged shoppers active in the last day)."""

from __future__ import annotations

from typing import Any

from ingest.synthetic import catalog
from ingest.synthetic.config import DAY_MS, HOUR_MS, MINUTE_MS
from ingest.synthetic.planner import PINPOINT, PlannerCore
from ingest.synthetic.world import (
    User,
    hex_id,
    uuid_like,
)

#: A session sent offline, in one batch hours later (Pinpoint arrival long after the events).
OFFLINE_SESSION_P = 0.05
#: A session starts with a sign-in.
SIGN_IN_P = 0.2
#: After product views: add the last one to the cart; buy it (shoppers far more often).
ADD_TO_CART_P = 0.3
SHOPPER_PURCHASE_P = 0.22
BROWSER_PURCHASE_P = 0.03
#: A purchase of two instead of one.
SECOND_ITEM_P = 0.2
#: A webinar fan registers for some webinar during a session.
WEBINAR_REGISTRATION_P = 0.05
#: Sessions in the last day of the window (recent activity for the segments), the rest uniform.
LAST_DAY_SESSION_P = 0.1


class AppEvents(PlannerCore):
    """App sessions and their events."""

    def _user_for_app(self) -> User:
        return self.rng.choices(self.users, cum_weights=self._app_cum)[0]

    def _session(self, user: User, start: int, plan: list[tuple[str, dict[str, str], dict[str, float]]]) -> None:
        rng, rnd = self.rng, self.rnd
        session_id = uuid_like(rng)
        timeline: list[tuple[str, int, dict[str, str], dict[str, float]]] = [("_session.start", start, {}, {})]
        at_ms = start
        for event_type, attributes, metrics in plan:
            at_ms += 5_000 + int(rnd() * 3 * MINUTE_MS)
            timeline.append((event_type, at_ms, attributes, metrics))
        stop = at_ms + 10_000 + int(rnd() * 5 * MINUTE_MS)
        timeline.append(("_session.stop", stop, {}, {}))
        flush = (
            stop + HOUR_MS + int(rnd() * 20 * HOUR_MS) if rnd() < OFFLINE_SESSION_P else None
        )  # offline: sent in one batch later
        for event_type, at, attributes, metrics in timeline:
            session: dict[str, Any] = {"session_id": session_id, "start_timestamp": start}
            if event_type == "_session.stop":
                session["stop_timestamp"] = stop
            arrival = flush if flush is not None else at + 200 + int(rnd() * 2_800)
            args = (user, event_type, at, arrival, session, attributes, metrics)
            if self._emit(PINPOINT, self._f_app, args, at, arrival, late=False):
                self.truth.app_event(event_type, user.email_endpoint_id, at, attributes, metrics)

    def _shopping(
        self, user: User, *, view: bool = False, purchase: bool = False
    ) -> list[tuple[str, dict[str, str], dict[str, float]]]:
        rng, rnd = self.rng, self.rnd
        plan: list[tuple[str, dict[str, str], dict[str, float]]] = []
        if rnd() < SIGN_IN_P:
            plan.append(("_userauth.sign_in", {}, {}))
        views = rng.randint(1, 5) if user.shopper else rng.randint(0, 2)
        if view:
            views = max(1, views)
        seen = []
        for _ in range(views):
            product = rng.choice(catalog.PRODUCTS)
            seen.append(product)
            plan.append(
                (
                    "product_page_view",
                    {"product_id": product[0], "product_color": rng.choice(product[2]), "product_name": product[1]},
                    {},
                )
            )
        if seen and rnd() < ADD_TO_CART_P:
            plan.append(("add_to_cart", {"product_id": seen[-1][0]}, {"quantity": 1.0}))
        if purchase or (seen and rnd() < (SHOPPER_PURCHASE_P if user.shopper else BROWSER_PURCHASE_P)):
            product = seen[-1] if seen else rng.choice(catalog.PRODUCTS)
            quantity = 1 + (rnd() < SECOND_ITEM_P)
            price = product[3]
            store = {"ios": "Apple App Store", "android": "Google Play"}.get(user.device[0], "Web")
            plan.append(
                (
                    "_monetization.purchase",
                    {
                        "_product_id": product[0],
                        "_store": store,
                        "_item_price_formatted": f"${price:,.2f}",
                        "_transaction_id": hex_id(rng, 16),
                        "_currency": "USD",
                    },
                    {"_quantity": float(quantity), "_item_price": price},
                )
            )
        if user.webinar_fan and rnd() < WEBINAR_REGISTRATION_P:
            webinar_id, title = rng.choice(catalog.WEBINARS)
            plan.append(("webinar_registration", {"webinar_id": webinar_id, "webinar_title": title}, {}))
        return plan

    def _unit_app(self) -> bool:
        user = self._user_for_app()
        start = self.end_ms - int(self.rnd() * DAY_MS) if self.rnd() < LAST_DAY_SESSION_P else self._uniform_time()
        self._session(user, start, self._shopping(user))
        return True

    def _anchors(self) -> None:
        """A few engaged shoppers who viewed a product in the last 24 h and purchased recently, so the example
        segments have members at any scale (most users do not qualify)."""
        rng = self.rng
        want = max(3, len(self.users) // 80)
        anchors = [
            person
            for person in self.users
            if person.persona == "engaged" and person.shopper and person.email_opt_out == "NONE"
        ][:want]
        for person in self.users:
            if len(anchors) >= want:
                break
            if person not in anchors and person.email_opt_out == "NONE" and person.email_status == "ACTIVE":
                person.persona, person.open_p, person.click_p, person.shopper = "engaged", 0.85, 0.45, True
                anchors.append(person)
        recent = min(self.span, 80 * DAY_MS)
        for person in anchors:
            self._session(
                person, self.end_ms - 2 * HOUR_MS - int(self.rnd() * 20 * HOUR_MS), self._shopping(person, view=True)
            )
            self._session(
                person,
                self.end_ms - 3 * HOUR_MS - int(self.rnd() * (recent - 3 * HOUR_MS)),
                self._shopping(person, purchase=True),
            )
        rng.shuffle(anchors)
