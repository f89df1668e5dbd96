"""`python -m qtickets_assets.transform`: write dbt_project/target/manifest.json (dbt parse, offline)."""

from .project import prepare_manifest

print(prepare_manifest())
