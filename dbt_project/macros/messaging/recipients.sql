{#-
  Bounced or complained recipients of any producer as one array of
  (email_address, action, status, diagnostic_code), the grain the unified events fan out to.
  `keys` names the producer's own keys for those four fields (none when the producer has no such key).
-#}
{% macro recipients_from_objects(objects_expr, keys) -%}
{{ englake.array_transform(objects_expr, 'r', englake.record_of([
    ('email_address', englake.object_key('r', keys[0]) if keys[0] else 'null', 'varchar'),
    ('action', englake.object_key('r', keys[1]) if keys[1] else 'null', 'varchar'),
    ('status', englake.object_key('r', keys[2]) if keys[2] else 'null', 'varchar'),
    ('diagnostic_code', englake.object_key('r', keys[3]) if keys[3] else 'null', 'varchar'),
])) }}
{%- endmacro %}
