"""The request pipeline shared by the web pages and the JSON API.

Everything a request goes through before and after its view lives here, once: who the current user is
(`auth`), which permission a route needs (`policy`), the unit of work that commits or rolls back the
request (`transaction`), how errors become responses (`errors`), and the request helpers both front ends
use (`context`, `pagination`). `web` and `api` build on this package and never on each other.
"""
