{#-
  The records of one raw line, as an array of texts (untrimmed). The rule, shared with ingest/reader.py (its module
  docstring, step 4; `split_pieces` there does these same steps):
  - a line that is valid JSON is one record;
  - any other line holds records Firehose ran together (event-formats.md §4.2) and is cut at every boundary (`}`,
    optional spaces/tabs/CRs, `{`) outside a JSON string. Strings are found scanning left to right with
    `"(?:[^"\\]|\\.)*"`, the leftmost match of a string or a boundary winning, so a `}{` inside a string never cuts.
  Done with three replacements: mark the end of every string with chr(31) and the start of every boundary with
  chr(31); turn each chr(31) followed by a boundary into `}` chr(30) `{`; drop the string marks; split on chr(30).
  A piece that still is not valid JSON is quarantined with its reason, so nothing is lost either way.
-#}
{#- `expr` is the line already trimmed; the pieces of a cut line come back trimmed too. -#}
{% macro split_records(expr) %}{{ return(adapter.dispatch('split_records', 'englake')(expr)) }}{% endmacro %}
{% macro default__split_records(expr) %}{{ exceptions.raise_compiler_error("split_records: no implementation for " ~ adapter.type()) }}{% endmacro %}
{% macro duckdb__split_records(expr) -%}
case when json_valid({{ expr }}) then [{{ expr }}]
     else list_transform(string_split(replace(regexp_replace(
        regexp_replace({{ expr }}, '("(?:[^"\\]|\\.)*")|(\}[ \t\r]*\{)', '\1' || chr(31) || '\2', 'g'),
        chr(31) || '\}[ \t\r]*\{', '}' || chr(30) || '{', 'g'), '"' || chr(31), '"'), chr(30)),
        lambda piece: {{ englake.trim_whitespace('piece') }}) end
{%- endmacro %}
{#- Trino names groups $1 in replacements and replaces every match. -#}
{% macro athena__split_records(expr) -%}
if(try(json_parse({{ expr }})) is not null, array[{{ expr }}],
   transform(split(replace(regexp_replace(
        regexp_replace({{ expr }}, '("(?:[^"\\]|\\.)*")|(\}[ \t\r]*\{)', '$1' || chr(31) || '$2'),
        chr(31) || '\}[ \t\r]*\{', '}' || chr(30) || '{'), '"' || chr(31), '"'), chr(30)),
        piece -> {{ englake.trim_whitespace('piece') }}))
{%- endmacro %}


{#-
  The JSON types at `keys` of a record (json_types_at's names), NULL when the record is not valid JSON: the
  validity check and the classification in one parse on DuckDB (TRY turns the parse error into NULL).
-#}
{% macro record_json_types(expr, keys) %}{{ return(adapter.dispatch('record_json_types', 'englake')(expr, keys)) }}{% endmacro %}
{% macro default__record_json_types(expr, keys) -%}
case when {{ englake.json_is_valid(expr) }} then {{ englake.json_types_at(expr, keys) }} end
{%- endmacro %}
{% macro duckdb__record_json_types(expr, keys) -%}
try({{ englake.json_types_at(expr, keys) }})
{%- endmacro %}
