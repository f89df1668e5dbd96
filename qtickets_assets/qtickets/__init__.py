"""The QTickets source system: one HTTP client (REST v1 + Partners), the resource catalog and the
staging assets built from it.

Public interface:
    client.QTicketsResource (.from_env(), .get_client()), client.QTicketsClient, client.RawResponse
    errors.*                 typed errors (WrongAuthorization, ResourceNotFound, RouteNotFound, ...)
    catalog.CATALOG          resource name -> CatalogEntry (table, business key, cursor, endpoint)
    assets.STAGING_ASSETS    one asset per resource, key = AssetKey(<staging table>)
"""
