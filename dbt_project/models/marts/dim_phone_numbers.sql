{#-
  One row per phone number validated (PhoneNumberValidate via handlers/phone_validation): the newest answer per
  E.164 number, or per input for one that could not be parsed. The sender and segments use `is_sms_capable` (e.g.
  to skip landlines); the original spelling stays in `input`.
-#}
with lines as (
    select line
    from ({{ englake.lake_phone_validation_lines() }}) as validations
    where {{ englake.trim_whitespace('line') }} <> '' and {{ englake.json_is_valid('line') }}
),

parsed as (
    select
        {{ englake.json_text_at('line', 'e164') }} as e164,
        {{ englake.json_text_at('line', 'input') }} as input,
        lower({{ englake.json_text_at('line', 'valid') }}) = 'true' as is_valid,
        {{ englake.json_text_at('line', 'reason') }} as invalid_reason,
        upper({{ englake.json_text_at('line', 'type') }}) as phone_type,
        {{ englake.json_text_at('line', 'carrier') }} as carrier,
        {{ englake.json_text_at('line', 'country') }} as country,
        {{ englake.json_text_at('line', 'country_code') }} as country_code,
        {{ englake.json_text_at('line', 'timezone') }} as timezone,
        {{ englake.iso8601_to_timestamp(englake.json_text_at('line', 'validated_at')) }} as validated_at
    from lines
),

ranked as (
    select
        *,
        coalesce(e164, concat('unparsed:', input)) as phone_key,
        row_number() over (
            partition by coalesce(e164, concat('unparsed:', input)) order by validated_at desc, input
        ) as newest
    from parsed
)

select
    phone_key,
    e164,
    input,
    is_valid,
    invalid_reason,
    phone_type,
    is_valid and phone_type in ('MOBILE', 'PREPAID', 'VOIP') as is_sms_capable,
    carrier,
    country,
    country_code,
    timezone,
    validated_at
from ranked
where newest = 1
