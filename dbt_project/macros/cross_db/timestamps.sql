{#-
  Timestamps: every stored timestamp is naive UTC with millisecond precision (stored as timestamp(6) on Athena for
  Iceberg, TIMESTAMP on DuckDB). Athena parses text into timestamp(3) (from_iso8601_timestamp, parse_datetime), so
  DuckDB cuts the digits beyond the millisecond too (truncation, as Joda's parser does).
-#}

{% macro epoch_ms_to_timestamp(expr) %}{{ return(adapter.dispatch('epoch_ms_to_timestamp', 'englake')(expr)) }}{% endmacro %}
{% macro default__epoch_ms_to_timestamp(expr) %}{{ exceptions.raise_compiler_error("epoch_ms_to_timestamp: no implementation for " ~ adapter.type()) }}{% endmacro %}
{#- epoch_ms() returns a plain TIMESTAMP; integer `/ 1000` (the AWS samples) would drop the milliseconds. -#}
{% macro duckdb__epoch_ms_to_timestamp(expr) %}epoch_ms(cast({{ expr }} as bigint)){% endmacro %}
{#- Adding milliseconds to the epoch gives a naive timestamp with no session time zone involved. -#}
{% macro athena__epoch_ms_to_timestamp(expr) %}cast(date_add('millisecond', cast({{ expr }} as bigint), timestamp '1970-01-01 00:00:00.000') as timestamp(6)){% endmacro %}


{% macro iso8601_to_timestamp(expr) %}{{ return(adapter.dispatch('iso8601_to_timestamp', 'englake')(expr)) }}{% endmacro %}
{% macro default__iso8601_to_timestamp(expr) %}{{ exceptions.raise_compiler_error("iso8601_to_timestamp: no implementation for " ~ adapter.type()) }}{% endmacro %}
{#- SES writes `2017-08-05T00:41:02.669Z`; its SNS example also shows `2018-10-08T14:05:45 +0000`. -#}
{% macro duckdb__iso8601_to_timestamp(expr) -%}
date_trunc('millisecond', coalesce(
    try_cast(try_cast({{ expr }} as timestamptz) at time zone 'UTC' as timestamp),
    try_strptime({{ expr }}, '%Y-%m-%dT%H:%M:%S %z') at time zone 'UTC'
))
{%- endmacro %}
{% macro athena__iso8601_to_timestamp(expr) -%}
coalesce(
    cast(try(from_iso8601_timestamp({{ expr }})) at time zone 'UTC' as timestamp(6)),
    cast(try(parse_datetime({{ expr }}, 'yyyy-MM-dd''T''HH:mm:ss Z')) at time zone 'UTC' as timestamp(6))
)
{%- endmacro %}


{% macro rfc822_to_timestamp(expr) %}{{ return(adapter.dispatch('rfc822_to_timestamp', 'englake')(expr)) }}{% endmacro %}
{% macro default__rfc822_to_timestamp(expr) %}{{ exceptions.raise_compiler_error("rfc822_to_timestamp: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__rfc822_to_timestamp(expr) %}try_strptime({{ expr }}, '%a, %d %b %Y %H:%M:%S %z') at time zone 'UTC'{% endmacro %}
{% macro athena__rfc822_to_timestamp(expr) %}cast(try(parse_datetime({{ expr }}, 'EEE, dd MMM yyyy HH:mm:ss Z')) at time zone 'UTC' as timestamp(6)){% endmacro %}


{#- Pinpoint documents message_send_timestamp as RFC 822 but every example carries epoch milliseconds: accept both. -#}
{% macro epoch_ms_or_rfc822_to_timestamp(expr) -%}
case
    when {{ englake.regexp_full_match(expr, '[0-9]+') }} then {{ englake.epoch_ms_to_timestamp(expr) }}
    else {{ englake.rfc822_to_timestamp(expr) }}
end
{%- endmacro %}


{#- A Firehose folder hour `YYYY/MM/DD/HH` as a timestamp. -#}
{% macro datehour_to_timestamp(expr) %}{{ return(adapter.dispatch('datehour_to_timestamp', 'englake')(expr)) }}{% endmacro %}
{% macro default__datehour_to_timestamp(expr) %}{{ exceptions.raise_compiler_error("datehour_to_timestamp: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__datehour_to_timestamp(expr) %}strptime({{ expr }}, '%Y/%m/%d/%H'){% endmacro %}
{% macro athena__datehour_to_timestamp(expr) %}cast(date_parse({{ expr }}, '%Y/%m/%d/%H') as timestamp(6)){% endmacro %}


{#- A timestamp literal that both engines accept, typed for the table format each writes. -#}
{% macro timestamp_literal(value) %}{{ return(adapter.dispatch('timestamp_literal', 'englake')(value)) }}{% endmacro %}
{% macro default__timestamp_literal(value) %}cast('{{ value }}' as timestamp){% endmacro %}
{% macro athena__timestamp_literal(value) %}cast(timestamp '{{ value }}' as timestamp(6)){% endmacro %}


{#- The current time as a naive UTC timestamp (to compare with stored event times). -#}
{% macro utc_now() %}{{ return(adapter.dispatch('utc_now', 'englake')()) }}{% endmacro %}
{% macro default__utc_now() %}{{ exceptions.raise_compiler_error("utc_now: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__utc_now() %}cast(current_timestamp at time zone 'UTC' as timestamp){% endmacro %}
{% macro athena__utc_now() %}cast(current_timestamp at time zone 'UTC' as timestamp(6)){% endmacro %}
