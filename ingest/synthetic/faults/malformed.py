"""Lines no reader can turn into an event: truncated JSON, plain text, arrays, bare numbers, and valid JSON that
matches no producer."""

from __future__ import annotations

from ingest.synthetic.planner import PlannerCore
from ingest.synthetic.world import (
    uuid_like,
)


class MalformedLines(PlannerCore):
    """Malformed and unclassifiable lines."""

    def _garbage(self) -> None:
        cfg = self.config
        rng, rnd = self.rng, self.rnd
        literal = self.renderer.literal
        valid = len(self.entries)
        for i in range(max(4, round(cfg.events * cfg.malformed_rate))):
            kind = i % 4
            arrival = self.start_ms + int(rnd() * self.span)
            if kind == 0 and valid:
                original = self.entries[rng.randrange(valid)]
                arrival = original[0]
                self._push(arrival, original[2], self.renderer.truncated, (original[3], original[4], 0.2 + 0.6 * rnd()))
                self.truth.malformed_line(original[2])
                continue
            if kind == 1 or (kind == 0 and not valid):
                text = rng.choice(
                    (
                        "Firehose delivery test – please ignore",
                        "ERROR 502 Bad Gateway",
                        "<html><body><h1>503 Service Unavailable</h1></body></html>",
                    )
                )
            elif kind == 2:
                text = '[{"event_type":"_email.open"},{"event_type":"_email.click"}]'
            else:
                text = str(arrival)
            self._push(arrival, None, literal, (text,))
            self.truth.malformed_line(None)
        samples = (
            '{"hello":"world"}',
            '{"eventType":"Bounce","bounce":{"bounceType":"Permanent"}}',
            '{"event_type":42,"event_timestamp":1732096531123}',
            '{"notificationType":"Bounce","mail":"not an object"}',
            '{"Type":"Notification","MessageId":"'
            + uuid_like(rng)
            + '","TopicArn":"arn:aws:sns:us-east-1:'
            + cfg.aws_account_id
            + ':ses-feedback","Message":"{\\"notificationType\\":\\"AmazonSnsSubscriptionSucceeded\\"}"}',
        )
        for i in range(max(3, round(cfg.events * cfg.unclassifiable_rate))):
            self._push(self.start_ms + int(rnd() * self.span), None, literal, (samples[i % len(samples)],))
            self.truth.unclassifiable_line()
