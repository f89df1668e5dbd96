"""The QTickets data platform: the Dagster code location (definitions.py) and its parts."""

import warnings

# dagster-dbt asks for sqlglot[rs]; sqlglot 29 then warns that its Rust tokenizer is unused. Harmless, and printed
# by every process that loads the code location, so it is silenced before anything imports sqlglot.
warnings.filterwarnings("ignore", message=r"sqlglot\[rs\] is deprecated", category=UserWarning)
