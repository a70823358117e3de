{#- Rows where `expression` is false fail (NULL counts as passing only when allow_null). dbt_utils-style, portable. -#}
{% test expression_is_true(model, expression, allow_null=false) %}
select *
from {{ model }}
where not ({{ expression }}){% if not allow_null %} or ({{ expression }}) is null{% endif %}
{% endtest %}
