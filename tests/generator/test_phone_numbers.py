"""The generator makes each candidate phone number's ``PhoneNumber`` itself instead of calling
``phonenumbers.parse`` (issue 15): it must be exactly what ``parse`` returns, for every prefix of the catalogue."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from ingest.synthetic import catalog
from ingest.synthetic.world import _calling_code

_PREFIXES = [(prefix, country.phone_digits) for country in catalog.COUNTRIES for prefix in country.phone_prefixes]


@pytest.mark.parametrize(("prefix", "digits"), _PREFIXES)
def test_a_candidate_number_is_what_phonenumbers_parses(prefix: str, digits: int) -> None:
    rng = random.Random(prefix)
    code, national = _calling_code(prefix)
    for _ in range(2_000):
        tail = "".join(str(rng.randrange(10)) for _ in range(digits))
        made = phonenumbers.PhoneNumber(country_code=code, national_number=int(national + tail))
        assert made == phonenumbers.parse(f"+{prefix}{tail}")
