"""The measured loads. Each module has `prepare(spec)` (imports, settings: not timed) and run functions that
return a dict with at least `seconds` (the measured wall time) and `rows`."""
