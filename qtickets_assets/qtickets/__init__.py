"""The QTickets source system: `client/` talks to the APIs, `ingest/` loads every catalog resource into staging."""
