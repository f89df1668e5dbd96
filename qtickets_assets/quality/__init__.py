"""Data quality: pandera contracts for the staging tables (blocking asset checks) and freshness checks.

For definitions.py:
    from qtickets_assets.quality import quality_checks, freshness_checks, freshness_checks_sensor
The pure parts (frame, drift, validate, models_*) import without Dagster; the names above load it lazily.
"""

_EXPORTS = {
    "quality_checks": "qtickets_assets.quality.checks",
    "freshness_checks": "qtickets_assets.quality.freshness",
    "freshness_checks_sensor": "qtickets_assets.quality.freshness",
    "build_freshness_checks": "qtickets_assets.quality.freshness",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)


__all__ = list(_EXPORTS)
