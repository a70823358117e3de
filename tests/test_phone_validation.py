"""Phone number validation (issue 11 item 3; reference spec §4 "Automatic Phone Number Validate").

Known answers come from the fake's ground truth (``set_number``) and libphonenumber's metadata, never from the code
under test. PhoneNumberValidate runs through a real boto3 ``pinpoint`` client with the fake below it.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from englake.storage import LocalStore
from handlers.phone_validation import (
    VALIDATIONS_PREFIX,
    LakePhoneCache,
    MemoryPhoneCache,
    PhoneNumberError,
    mask,
    to_e164,
    validate_numbers,
)
from segmentation.ratelimit import VirtualClock
from tests.fakes.pinpoint_phone import PhoneValidateFake


@pytest.fixture
def fake() -> PhoneValidateFake:
    return PhoneValidateFake(rate=None)


@pytest.fixture
def client(fake: PhoneValidateFake):
    return fake.attach(boto3.client("pinpoint", region_name="us-east-1"))


def test_reference_defect_invalid_number_crashes_the_run(fake, client) -> None:
    """§4: a number without CleansedPhoneNumberE164 raised KeyError and killed the run; here it is recorded invalid
    with the reason and every other number is still validated."""
    fake.set_number("+12065550100", "INVALID", carrier_name=None, CleansedPhoneNumberE164=None)
    fake.set_number("+12065550142", "MOBILE", "ExampleCorp Mobile", Timezone="America/Los_Angeles")
    fake.set_number("+14085550101", "LANDLINE", "ExampleCorp Landline")
    results = validate_numbers(
        ["+12065550100", "+12065550142", "+14085550101"], client=client, cache=MemoryPhoneCache(), rate_per_second=None
    )
    bad = results["+12065550100"]
    assert not bad.valid
    assert "INVALID" in (bad.reason or "")
    mobile = results["+12065550142"]
    assert mobile.valid
    assert mobile.type == "MOBILE"
    assert mobile.carrier == "ExampleCorp Mobile"
    assert mobile.timezone == "America/Los_Angeles"
    assert mobile.sms_capable
    landline = results["+14085550101"]
    assert landline.valid
    assert landline.type == "LANDLINE"
    assert not landline.sms_capable


def test_unparseable_and_impossible_numbers_are_invalid_with_a_reason_and_never_billed(fake, client) -> None:
    inputs = ["", "not a number", "+1 206 555", "12345678901234567890123", "\x00\xff", "+999 1234"]
    results = validate_numbers(inputs, client=client, cache=MemoryPhoneCache(), rate_per_second=None)
    assert set(results) == set(inputs)
    for value in inputs:
        assert not results[value].valid, value
        assert results[value].reason, value
    assert fake.validated == []  # none reached the API (it bills per request)


def test_assume_us_normalises_only_us_national_numbers() -> None:
    """The reference prefixed "+1" to any 10 digits; here only numbers libphonenumber parses as US national ones."""
    assert to_e164("(206) 555-0142", assume_us=True) == "+12065550142"
    assert to_e164("1 206 555 0142", assume_us=True) == "+12065550142"
    assert to_e164("+44 20 7946 0958", assume_us=True) == "+442079460958"  # already international: kept
    with pytest.raises(PhoneNumberError, match="US national"):
        to_e164("4165550123", assume_us=True)  # Toronto: a Canadian number, not a US one
    with pytest.raises(PhoneNumberError, match="country code"):
        to_e164("2065550142")  # no assume US: no guessing
    with pytest.raises(PhoneNumberError):
        to_e164("442079460958", assume_us=True)  # a UK number without its +: not a possible US number


def test_each_number_is_validated_once_across_spellings_and_runs(fake, client, tmp_path) -> None:
    store = LocalStore(tmp_path)
    spellings = ["+1 (206) 555-0142", "+12065550142", "0012065550142", "+1 408 555 0101"]
    first = validate_numbers(spellings, client=client, cache=LakePhoneCache(store), rate_per_second=None)
    assert sorted(fake.validated) == ["+12065550142", "+14085550101"]
    assert {r.e164 for r in first.values()} == {"+12065550142", "+14085550101"}
    assert first["+1 (206) 555-0142"].input == "+1 (206) 555-0142"  # the original spelling is kept
    again = validate_numbers(spellings, client=client, cache=LakePhoneCache(store), rate_per_second=None)
    assert len(fake.validated) == 2  # the second run is answered from the lake
    assert {k: v.e164 for k, v in again.items()} == {k: v.e164 for k, v in first.items()}


def test_reference_defect_concurrent_runs_double_validate(fake, client) -> None:
    """§4: concurrent executions double-validated (billed per request). Threads of one run and several runs in one
    process sharing a cache call the API once per number."""
    numbers = [f"+1206555{n:04d}" for n in range(100, 160)]
    cache = MemoryPhoneCache()

    def run(_: int):
        return validate_numbers(numbers, client=client, cache=cache, rate_per_second=None, max_workers=4)

    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(run, range(3)))
    assert sorted(fake.validated) == sorted(numbers)
    assert all(len(r) == len(numbers) for r in runs)


def test_reference_defect_timeout_loses_progress_resumes(fake, client, tmp_path) -> None:
    """§4: each run died at the 300 s timeout with nothing recorded; here a run stops at its deadline with its
    answers checkpointed, and the next run validates only the rest."""
    clock = VirtualClock()
    store = LocalStore(tmp_path)
    numbers = [f"+1206555{n:04d}" for n in range(100, 150)]
    partial = validate_numbers(
        numbers,
        client=client,
        cache=LakePhoneCache(store),
        rate_per_second=10,
        max_workers=1,
        checkpoint_every=5,
        deadline=clock.now() + 2.0,
        clock=clock.now,
        sleep=clock.sleep,
    )
    assert 10 <= len(partial) < len(numbers)  # ~2 s at 10 per second
    assert len(fake.validated) == len(partial)
    rest = validate_numbers(numbers, client=client, cache=LakePhoneCache(store), rate_per_second=None)
    assert len(rest) == len(numbers)
    assert sorted(fake.validated) == sorted(numbers)  # nothing validated twice


def test_rate_is_bounded(fake, client) -> None:
    clock = VirtualClock()
    numbers = [f"+1206555{n:04d}" for n in range(100, 300)]
    validate_numbers(
        numbers,
        client=client,
        cache=MemoryPhoneCache(),
        rate_per_second=20,
        max_workers=1,
        clock=clock.now,
        sleep=clock.sleep,
    )
    assert clock.now() >= (len(numbers) - 20) / 20  # burst of 20, then 20 per second


def test_throttling_after_retries_is_retryable_not_cached(fake, client) -> None:
    from tests.fakes.base import throttled

    fake.inject_fault("PhoneNumberValidate", lambda params: throttled())
    client.meta.config.retries = {"max_attempts": 1}
    cache = MemoryPhoneCache()
    results = validate_numbers(["+12065550142"], client=client, cache=cache, rate_per_second=None)
    assert results["+12065550142"].retryable
    assert cache.get("+12065550142") is None


def test_results_land_in_the_lake_as_ndjson(fake, client, tmp_path) -> None:
    store = LocalStore(tmp_path)
    validate_numbers(["+12065550142", "garbage"], client=client, cache=LakePhoneCache(store), rate_per_second=None)
    rows = [
        json.loads(line)
        for item in store.list(VALIDATIONS_PREFIX)
        for line in store.get(item.key).decode().splitlines()
    ]
    assert {r["input"] for r in rows} == {"+12065550142", "garbage"}
    assert {"e164", "valid", "reason", "type", "carrier", "country", "timezone", "validated_at"} <= set(rows[0])


def test_mask_keeps_no_full_number() -> None:
    assert "5550142" not in mask("+12065550142")
    assert mask("+12065550142").endswith("42")
