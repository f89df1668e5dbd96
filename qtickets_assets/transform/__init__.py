"""dbt transform layer: the dbt project under dbt_project/ as Dagster assets (group "transform").

Exposed: `qtickets_dbt_assets`, `dbt_resource()`, `DBT_PROJECT`, `DbtBuildConfig`, `prepare_manifest()`.
`qtickets_dbt_assets` is imported lazily: building it needs target/manifest.json, and
`python -m qtickets_assets.transform.project` (which writes that manifest) must work before it exists.
"""
from .project import DBT_PROJECT, DBT_PROJECT_DIR, dbt_executable, dbt_resource, prepare_manifest
from .translator import QTicketsDbtTranslator

_LAZY = {"qtickets_dbt_assets", "DbtBuildConfig", "dbt_build_args"}


def __getattr__(name: str):
    if name in _LAZY:
        from . import assets

        return getattr(assets, name)
    raise AttributeError(name)


__all__ = [
    "DBT_PROJECT",
    "DBT_PROJECT_DIR",
    "DbtBuildConfig",
    "QTicketsDbtTranslator",
    "dbt_build_args",
    "dbt_executable",
    "dbt_resource",
    "prepare_manifest",
    "qtickets_dbt_assets",
]
