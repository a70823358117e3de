{#-
  The canonical event columns, written once: every producer's staging model, int_events_unioned, fct_events and
  the per-event-type views read this list. A new column is one line here (and the expression in the staging models
  that have it); a staging model that lacks a column gets a typed NULL (Fivetran's fill_staging_columns pattern).
  [(name, logical type for sql_type())], in the order the models' columns take.
-#}
{% macro event_columns() %}
    {{ return([
        ('record_id', 'varchar'),
        ('producer', 'varchar'),
        ('raw_event_type', 'varchar'),
        ('event_type_key', 'varchar'),
        ('event_key', 'varchar'),
        ('invalid_fields', 'varchar'),
        ('event_at', 'timestamp'),
        ('producer_arrival_at', 'timestamp'),
        ('ingested_at', 'timestamp'),
        ('ingest_date', 'date'),
        ('application_id', 'varchar'),
        ('endpoint_id', 'varchar'),
        ('user_id', 'varchar'),
        ('aws_account_id', 'varchar'),
        ('campaign_id', 'varchar'),
        ('campaign_activity_id', 'varchar'),
        ('treatment_id', 'varchar'),
        ('journey_id', 'varchar'),
        ('journey_run_id', 'varchar'),
        ('journey_activity_id', 'varchar'),
        ('journey_send_status', 'varchar'),
        ('campaign_send_status', 'varchar'),
        ('delivery_type', 'varchar'),
        ('message_id', 'varchar'),
        ('message_sent_at', 'timestamp'),
        ('from_address', 'varchar'),
        ('destination', 'varchar_array'),
        ('subject', 'varchar'),
        ('configuration_set', 'varchar'),
        ('recipients', 'recipients'),
        ('event_recipients', 'varchar_array'),
        ('bounce_type', 'varchar'),
        ('bounce_sub_type', 'varchar'),
        ('feedback_id', 'varchar'),
        ('reporting_mta', 'varchar'),
        ('remote_mta_ip', 'varchar'),
        ('complaint_feedback_type', 'varchar'),
        ('complaint_sub_type', 'varchar'),
        ('ip_address', 'varchar'),
        ('user_agent', 'varchar'),
        ('link', 'varchar'),
        ('link_tags', 'tags_map'),
        ('is_bot_event', 'varchar'),
        ('smtp_response', 'varchar'),
        ('processing_time_millis', 'bigint'),
        ('reject_reason', 'varchar'),
        ('rendering_error', 'varchar'),
        ('template_name', 'varchar'),
        ('delay_type', 'varchar'),
        ('delay_expires_at', 'timestamp'),
        ('unsubscribe_all', 'boolean'),
        ('sender_request_id', 'varchar'),
        ('origination_number', 'varchar'),
        ('destination_phone_number', 'varchar'),
        ('record_status', 'varchar'),
        ('status_description', 'varchar'),
        ('iso_country_code', 'varchar'),
        ('message_parts', 'bigint'),
        ('message_type', 'varchar'),
        ('message_encoding', 'varchar'),
        ('is_final', 'boolean'),
        ('price_in_millicents_usd', 'double'),
        ('total_message_price', 'double'),
        ('total_carrier_fee', 'double'),
        ('call_duration_seconds', 'bigint'),
        ('conversation_id', 'varchar'),
        ('conversation_type', 'varchar'),
        ('message_requested_at', 'timestamp'),
        ('session_id', 'varchar'),
        ('session_started_at', 'timestamp'),
        ('session_stopped_at', 'timestamp'),
        ('event_attributes', 'varchar_map'),
        ('event_metrics', 'double_map'),
        ('message_tags', 'varchar_map'),
        ('ses_tags', 'tags_map'),
    ]) }}
{% endmacro %}


{% macro event_column_names() %}
    {%- set names = [] -%}
    {%- for name, type in englake.event_columns() -%}{%- do names.append(name) -%}{%- endfor -%}
    {{ return(names) }}
{% endmacro %}


{#-
  A staging model's select list: `columns` maps canonical names to the producer's expressions; every canonical
  column comes out, in order, cast to its type (so union branches agree on both engines), missing ones as typed
  NULLs. A name that is not canonical stops the compile.
-#}
{% macro fill_event_columns(columns) -%}
    {%- set names = englake.event_column_names() -%}
    {%- for name in columns if name not in names -%}
        {{ exceptions.raise_compiler_error("fill_event_columns: " ~ name ~ " is not a canonical event column (macros/messaging/event_columns.sql)") }}
    {%- endfor -%}
    {%- for name, type in englake.event_columns() %}
    {% if name in columns %}cast({{ columns[name] }} as {{ englake.sql_type(type) }}){% else %}{{ englake.typed_null(type) }}{% endif %} as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#-
  The columns of fct_events: the canonical ones, with `recipients` fanned out to one recipient per row
  (recipient_address, bounce_action, bounce_status, diagnostic_code) and event_key replaced by event_id, plus the
  seed's canonical event_type, channel and status_precedence. event_view checks the names it reads against this.
-#}
{% macro fct_event_column_names() %}
    {%- set names = ['event_id', 'event_type', 'channel', 'status_precedence', 'recipient_address', 'bounce_action',
                     'bounce_status', 'diagnostic_code'] -%}
    {%- for name in englake.event_column_names() if name not in ('event_key', 'event_type_key', 'recipients') -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}


{#-
  Typed fields read from raw text, validated: each turns a field's raw JSON text into its type, NULL when the text
  does not parse or is out of range (never an error that stops the build). invalid_fields() names the fields whose
  raw text was present but gave NULL; the event is kept with that flag and its key hashes the raw text.
-#}
{#- Epoch milliseconds that fit a timestamp on both engines: years 0001 to 9999. -#}
{% macro epoch_ms_from_text(raw) -%}
case when try_cast({{ raw }} as {{ englake.sql_type('bigint') }}) between -62135596800000 and 253402300799999
    then {{ englake.epoch_ms_to_timestamp('try_cast(' ~ raw ~ ' as ' ~ englake.sql_type('bigint') ~ ')') }} end
{%- endmacro %}
{% macro bigint_from_text(raw) %}{{ englake.try_parse_bigint(raw) }}{% endmacro %}
{% macro double_from_text(raw) %}try_cast({{ raw }} as {{ englake.sql_type('double') }}){% endmacro %}

{#- `checks` is [(field name, raw text expression, typed expression)]; NULL when every present field parsed. -#}
{% macro invalid_fields(checks) -%}
nullif(concat_ws(','{% for name, raw, typed in checks %}, case when {{ raw }} is not null and {{ typed }} is null then '{{ name }}' end{% endfor %}), '')
{%- endmacro %}
