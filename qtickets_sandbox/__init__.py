"""qtickets_sandbox: a local, deterministic stand-in for the QTickets REST API v1 and Partners API v1.

The data platform never imports this package; tests and demos start it as a process
(`python -m qtickets_sandbox serve ...`) and talk to it over HTTP on 127.0.0.1.
"""

__version__ = "0.1.0"
