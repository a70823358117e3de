"""Phone number validation (PhoneNumberValidate, under AWS End User Messaging): stable public API.

    from handlers.phone_validation import LakePhoneCache, PhoneValidation, validate_numbers
    results = validate_numbers(numbers, client=boto3.client("pinpoint"), cache=LakePhoneCache(store),
                               rate_per_second=20, assume_us=False)

``validate_numbers`` returns ``dict[input, PhoneValidation]``; ``to_e164`` / ``mask`` normalise and mask numbers.
"""

from handlers.phone_validation.cache import VALIDATIONS_PREFIX, LakePhoneCache, MemoryPhoneCache, PhoneCache
from handlers.phone_validation.models import PHONE_TYPES, SMS_CAPABLE_TYPES, PhoneValidation
from handlers.phone_validation.normalize import PhoneNumberError, is_e164, mask, to_e164
from handlers.phone_validation.validate import PHONE_NUMBER_VALIDATE_RPS, from_response, validate_numbers

__all__ = [
    "PHONE_NUMBER_VALIDATE_RPS",
    "PHONE_TYPES",
    "SMS_CAPABLE_TYPES",
    "VALIDATIONS_PREFIX",
    "LakePhoneCache",
    "MemoryPhoneCache",
    "PhoneCache",
    "PhoneNumberError",
    "PhoneValidation",
    "from_response",
    "is_e164",
    "mask",
    "to_e164",
    "validate_numbers",
]
