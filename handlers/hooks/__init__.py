"""Campaign hooks: send-time attributes, external templates and a Connect voice channel, safe under bad input.

Flow of the FILTER hook: ``handler.filter_handler`` (Lambda entry) → ``models`` (the documented event, typed) →
``filter_hook.apply_filter`` → ``personalise.personalise`` (cache, time budget, concurrency, fallbacks) → a
``providers`` provider (lookup table in the lake, or HTTP) → the endpoints map back to Pinpoint, size-guarded.
External templates render per endpoint in ``templates``; the Connect voice channel (``voice``) receives Pinpoint's
``CustomDeliveryConfiguration`` invocations, queues eligible calls, and a paced dialer places each at most once.
A sender of your own (after Pinpoint) calls ``personalise.personalise`` directly.
"""
