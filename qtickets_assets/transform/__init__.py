"""The dbt project under dbt_project/ as Dagster assets (group "transform").

project.py     where the dbt project lives, the dbt CLI resource, `prepare_manifest()` (dbt parse)
translator.py  how dbt models, sources and tests appear in Dagster
assets.py      the @dbt_assets (importing it needs dbt_project/target/manifest.json: `make manifest`)
"""
