{#
  The grain test: no two rows share the same values of `columns` (a list). Written here rather than taken
  from dbt_utils because the project downloads no packages (installs run offline).
#}
{% test unique_combination(model, columns) %}

select {{ columns | join(', ') }}, count() as rows_at_key
from {{ model }}
group by {{ columns | join(', ') }}
having count() > 1

{% endtest %}
