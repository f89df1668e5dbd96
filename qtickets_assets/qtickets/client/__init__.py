"""The ONE QTickets client (REST v1 + Partners): HTTP with one rate budget and retries per API, typed token-free
errors, paging with the local re-check of filters, and answers decoded without rebuilding every object.

    api.py        QTicketsClient, RawResponse          resource.py   QTicketsResource (Dagster)
    transport.py  one exchange: retries, backoff, stats  budget.py     rate budget + in-flight limit per API
    answers.py    HTTP answer -> data / retry / error   errors.py     the typed errors
    paging.py     paging arithmetic, list bodies        filters.py    the local re-check of `where`
    decoding.py   JSON decoding (sparse, raw bytes kept) parallel.py   calls on a thread pool, results as they complete
    timestamps.py the API's ISO timestamps <-> UTC
"""
