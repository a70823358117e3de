"""Message archiver: every campaign and journey send (and SES send) stored as a ``.eml`` per endpoint.

Flow: ``queuer`` (Firehose transformation, stream untouched) → SQS → ``handler`` (Lambda entry) → ``process`` →
``events`` (what and where) → ``content`` (Pinpoint, at send-time versions) → ``renderer`` (Handlebars subset) →
``mime`` (the message) → ``store`` (S3: put, list, erase).
"""
