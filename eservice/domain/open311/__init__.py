"""Open311 GeoReport v2 (issue 13): the rules behind ``/open311/v2/``, in plain Python.

- :mod:`.problems`  the spec's errors (HTTP 400/403/404, several at once) as a domain exception
- :mod:`.keys`      partners' API keys: made once and shown once, kept as a hash, scoped, revoked
- :mod:`.services`  which categories are Open311 services, and their attributes
- :mod:`.requests`  what a service request shows to whom, the list filters, and filing one
- :mod:`.dates`     W3C datetimes in Bangkok time (+07:00)

Corruption and gift reports are never part of any of it: their categories are no service, their
cases answer as unknown ids, and nothing here can file one.
"""
