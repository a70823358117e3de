"""Self-managed opt-outs as one plain function: an inbound SMS in; opt-out list, contacts and reply updated once.

Per message (``process_inbound``):

1. A replay (the same ``inboundMessageId`` already done) changes nothing and sends nothing.
2. The keyword decides the action (``keywords.py``: whole message or first word, never a substring).
3. The number's state (opted out / in) is a ledger item with a version: a change bumps the version; a repeated STOP
   is no change. A message older than the state's last change (inbound SMS arrive out of order) changes nothing.
4. Opt-out: the confirmation goes first (afterwards the number is on the list and SendTextMessage refuses it), from
   ``destinationNumber`` — the number the person wrote to — then ``PutOptedOutNumber`` and the contacts are marked.
   Opt-in: ``DeleteOptedOutNumber`` and contacts first, then the confirmation. A confirmation is sent once per state
   change (``changes`` vs ``confirmed_changes``); a crash between sending and recording it can repeat it once, never
   lose it.
5. HELP is answered once per inbound message.

Every step is idempotent, so a retried message finishes what a crashed attempt started. Logs carry masked numbers
and never the message body.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from englake.errors import client_error_code
from englake.timestamps import iso, parse_iso
from handlers.phone_validation.normalize import mask
from handlers.sms.contacts import Contacts, NoContacts
from handlers.sms.inbound import InboundSms
from handlers.sms.keywords import Action, KeywordMatcher
from handlers.sms.ledger import Ledger

log = logging.getLogger(__name__)

OPTED_OUT = "opted-out"
OPTED_IN = "opted-in"


@dataclass(frozen=True)
class OptOutConfig:
    #: End User Messaging opt-out list the number goes on (the origination numbers must use it).
    opt_out_list: str
    matcher: KeywordMatcher
    configuration_set: str | None = None


@dataclass(frozen=True)
class OptOutOutcome:
    inbound_message_id: str
    action: Action
    #: True when this message changed the number's state.
    changed: bool
    replied: bool
    contacts_marked: int
    replay: bool = False
    stale: bool = False


def process_inbound(
    message: InboundSms,
    *,
    sms_client: Any,
    ledger: Ledger,
    config: OptOutConfig,
    contacts: Contacts | None = None,
) -> OptOutOutcome:
    """Apply one inbound SMS; idempotent (safe to retry and to replay)."""
    contacts = contacts or NoContacts()
    inbound_pk = f"INBOUND#{message.inbound_message_id}"
    action, locale = config.matcher.match(message.body)
    done = ledger.get(inbound_pk, "DONE")
    if done is not None:
        log.info("inbound %s already processed: replay ignored", message.inbound_message_id)
        return OptOutOutcome(message.inbound_message_id, Action(done["action"]), False, False, 0, replay=True)

    changed = replied = stale = False
    marked = 0
    if action in (Action.OPT_OUT, Action.OPT_IN):
        target = OPTED_OUT if action is Action.OPT_OUT else OPTED_IN
        state, changed, stale = _change_state(ledger, message, target)
        pending_reply = int(state.get("confirmed_changes", 0)) < int(state.get("changes", 0))
        if action is Action.OPT_OUT and not stale:
            if pending_reply:
                replied = _reply(sms_client, message, config, config.matcher.reply(action, locale))
                _confirm(ledger, message.customer_number)
            sms_client.put_opted_out_number(OptOutListName=config.opt_out_list, OptedOutNumber=message.customer_number)
            marked = contacts.set_opt_out(message.customer_number, True)
        elif action is Action.OPT_IN and not stale:
            try:
                sms_client.delete_opted_out_number(
                    OptOutListName=config.opt_out_list, OptedOutNumber=message.customer_number
                )
            except ClientError as error:
                if client_error_code(error) != "ResourceNotFoundException":  # not on the list: fine
                    raise
            marked = contacts.set_opt_out(message.customer_number, False)
            if pending_reply:
                replied = _reply(sms_client, message, config, config.matcher.reply(action, locale))
                _confirm(ledger, message.customer_number)
    elif action is Action.HELP:
        replied = _reply(sms_client, message, config, config.matcher.reply(action, locale))

    ledger.put_if_absent(inbound_pk, "DONE", {"action": action.value, "changed": changed, "replied": replied})
    log.info(
        "inbound %s from %s: %s%s%s%s",
        message.inbound_message_id,
        mask(message.customer_number),
        action.value,
        " (state changed)" if changed else "",
        " (older than the last change: ignored)" if stale else "",
        " (replied)" if replied else "",
    )
    return OptOutOutcome(message.inbound_message_id, action, changed, replied, marked, stale=stale)


def number_state(ledger: Ledger, number: str) -> str | None:
    """``opted-out``, ``opted-in`` or None (never written) for an E.164 number."""
    item = ledger.get(f"NUMBER#{number}", "STATE")
    return item["state"] if item else None


def _change_state(ledger: Ledger, message: InboundSms, target: str) -> tuple[dict[str, Any], bool, bool]:
    """(state item after, changed, stale); optimistic locking, retried on conflict."""
    pk = f"NUMBER#{message.customer_number}"
    for _ in range(20):
        item = ledger.get(pk, "STATE")
        if item is not None:
            last = parse_iso(item["as_of"]) if item.get("as_of") else None
            if message.received_at is not None and last is not None and message.received_at < last:
                return item, False, True
            if item["state"] == target:
                return item, False, False
        as_of = iso(message.received_at or datetime.min)
        new = {
            "state": target,
            "as_of": as_of,
            "inbound_message_id": message.inbound_message_id,
            "changes": int((item or {}).get("changes", 0)) + 1,
            "confirmed_changes": int((item or {}).get("confirmed_changes", 0)),
        }
        version = item["version"] if item else None
        if ledger.replace(pk, "STATE", new, version):
            return new, True, False
    raise RuntimeError(f"state of {mask(message.customer_number)} kept changing; retry later")


def _confirm(ledger: Ledger, number: str) -> None:
    pk = f"NUMBER#{number}"
    for _ in range(20):
        item = ledger.get(pk, "STATE")
        if item is None or int(item.get("confirmed_changes", 0)) >= int(item.get("changes", 0)):
            return
        update = {k: v for k, v in item.items() if k not in ("pk", "sk", "version", "expires_at")}
        if ledger.replace(pk, "STATE", {**update, "confirmed_changes": item["changes"]}, item["version"]):
            return


def _reply(sms_client: Any, message: InboundSms, config: OptOutConfig, text: str | None) -> bool:
    if not text:
        return False
    request: dict[str, Any] = {
        "DestinationPhoneNumber": message.customer_number,
        "OriginationIdentity": message.our_number,
        "MessageBody": text,
        "MessageType": "TRANSACTIONAL",
    }
    if config.configuration_set:
        request["ConfigurationSetName"] = config.configuration_set
    try:
        sms_client.send_text_message(**request)
    except ClientError as error:
        # HELP from a number on the opt-out list: the service refuses any message to it; that is the answer.
        if error.response.get("Reason") == "DESTINATION_PHONE_NUMBER_OPTED_OUT":
            log.info("no reply to %s: the number is opted out", mask(message.customer_number))
            return False
        raise
    return True
