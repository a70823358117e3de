"""SMS operations on AWS End User Messaging (``pinpoint-sms-voice-v2``): self-managed opt-outs and SMS from a file.

- ``optouts.py``: two-way SMS (SNS → SQS → Lambda) keywords → opt-out list, contacts, one confirmation per change.
- ``filedrop.py`` → ``enqueue.py`` → ``sender.py``: a CSV dropped in S3 is read, validated, queued and sent, paced per
  origination identity, each row at most once, with a per-file report and rejects file.
"""
