"""Which action an inbound SMS asks for: opt out, opt in, help, or nothing — by whole keyword, never by substring.

The reference (spec §9) opted out anyone whose message *contained* END, TD, STOP or CANCEL ("WEEKEND", "OUTDOOR",
"NONSTOP", "don't cancel my order"). Here the trimmed, case-folded message must *be* a keyword (``whole``, the
default; trailing punctuation such as "Stop." is ignored), or its first word must (``first-word``, configurable).
Keyword lists are per locale and configurable; the locale whose keyword matched chooses the reply's language.

Default lists: the opt-out keywords End User Messaging requires for US/CA (event-formats.md §3.2,
https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords-required.html), the opt-in keywords it names for
re-subscribing (START, UNSTOP; YES), and HELP (keywords are 1–30 characters, case-insensitive; HELP and STOP must be
supported: https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords.html).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class Action(StrEnum):
    OPT_OUT = "opt-out"
    OPT_IN = "opt-in"
    HELP = "help"
    NONE = "none"


class MatchMode(StrEnum):
    WHOLE = "whole"  # the whole message is the keyword
    FIRST_WORD = "first-word"  # the message's first word is the keyword


#: Keyword length End User Messaging accepts (https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords.html).
MAX_KEYWORD_CHARS = 30
#: Characters ignored around a keyword ("Stop.", "STOP!", "'stop'").
_PUNCTUATION = ".,;:!?¡¿'\"«»()[]*-_~ "


@dataclass(frozen=True)
class LocaleKeywords:
    opt_out: tuple[str, ...]
    opt_in: tuple[str, ...]
    help: tuple[str, ...]
    #: Replies sent from the number the person wrote to.
    opt_out_reply: str
    opt_in_reply: str
    help_reply: str


DEFAULT_LOCALES: dict[str, LocaleKeywords] = {
    "en-US": LocaleKeywords(
        opt_out=("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REMOVE", "OPTOUT", "OPT-OUT", "TD"),
        opt_in=("START", "UNSTOP", "YES", "SUBSCRIBE"),
        help=("HELP", "INFO"),
        opt_out_reply="You have been unsubscribed and will receive no more messages. Reply START to resubscribe.",
        opt_in_reply="You have been resubscribed. Reply STOP to unsubscribe, HELP for help.",
        help_reply="Reply STOP to unsubscribe, START to resubscribe. Msg&data rates may apply.",
    ),
    "fr-CA": LocaleKeywords(
        opt_out=("ARRET", "ARRÊT", "DESABONNER", "DÉSABONNER"),
        opt_in=("DEBUT", "DÉBUT", "ABONNER"),
        help=("AIDE",),
        opt_out_reply="Vous êtes désabonné et ne recevrez plus de messages. Répondez DEBUT pour vous réabonner.",
        opt_in_reply="Vous êtes réabonné. Répondez ARRET pour vous désabonner, AIDE pour de l'aide.",
        help_reply="Répondez ARRET pour vous désabonner, DEBUT pour vous réabonner.",
    ),
}


def fold(text: str) -> str:
    """Trimmed, NFKC-normalised, case-folded, without surrounding punctuation."""
    return unicodedata.normalize("NFKC", text).casefold().strip().strip(_PUNCTUATION)


@dataclass(frozen=True)
class KeywordMatcher:
    locales: dict[str, LocaleKeywords] = field(default_factory=lambda: dict(DEFAULT_LOCALES))
    mode: MatchMode = MatchMode.WHOLE

    def __post_init__(self) -> None:
        table: dict[str, tuple[Action, str]] = {}
        for locale, words in self.locales.items():
            for action, listed in (
                (Action.OPT_OUT, words.opt_out),
                (Action.OPT_IN, words.opt_in),
                (Action.HELP, words.help),
            ):
                for word in listed:
                    if not word.strip() or len(word) > MAX_KEYWORD_CHARS:
                        raise ValueError(f"keyword {word!r} ({locale}): 1–{MAX_KEYWORD_CHARS} characters")
                    # The first locale listing a word wins, so a word cannot mean two actions.
                    table.setdefault(fold(word), (action, locale))
        object.__setattr__(self, "_table", table)

    def match(self, body: str) -> tuple[Action, str | None]:
        """(action, locale of the keyword) for a message body; (NONE, None) when it is not a keyword."""
        text = fold(body or "")
        if self.mode is MatchMode.FIRST_WORD:
            text = fold(text.split(maxsplit=1)[0]) if text else ""
        action, locale = self._table.get(text, (Action.NONE, None))  # type: ignore[attr-defined]
        return action, locale

    def reply(self, action: Action, locale: str | None) -> str | None:
        words = self.locales.get(locale or "") or next(iter(self.locales.values()))
        return {
            Action.OPT_OUT: words.opt_out_reply,
            Action.OPT_IN: words.opt_in_reply,
            Action.HELP: words.help_reply,
        }.get(action)
