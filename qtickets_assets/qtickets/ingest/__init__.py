"""Loading QTickets resources into ClickHouse staging: the catalog every resource is declared in, the key columns
read from each object, what to fetch (lists, fan-out per show), the load (window, cursor, batches) and the staging
assets built from the catalog.
"""
