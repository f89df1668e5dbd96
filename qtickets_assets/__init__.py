"""The QTickets data platform: the Dagster code location (definitions.py) and its parts."""

import warnings

# dagster-dbt asks for sqlglot[rs]; sqlglot 29 then warns that its Rust tokenizer is unused. Harmless, and printed
# by every process that loads the code location, so it is silenced before anything imports sqlglot.
warnings.filterwarnings("ignore", message=r"sqlglot\[rs\] is deprecated", category=UserWarning)


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each thread that allocates its own malloc arena (up to 8 per core), and memory freed in one
    arena is not reused by another. The staging step's loader and HTTP threads churn through gigabytes of
    short-lived pages, so with the default the run process's RSS grew with the volume loaded; two arenas keep it
    near the working set at the same speed (bench/README.md). Set before any worker thread exists; an explicit
    MALLOC_ARENA_MAX in the environment wins."""
    import ctypes
    import os
    import sys

    if sys.platform != "linux" or os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX (malloc.h)
        # A fixed mmap threshold: blocks of 1 MiB and more (list pages, insert batches) are mapped and returned to
        # the system when freed, instead of glibc raising the threshold to 32 MiB and keeping them in the heap.
        libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc (musl has no arenas to limit)
        pass


_limit_malloc_arenas()
