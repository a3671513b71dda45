"""National registries behind small interfaces: population (Folkeregisteret), contacts (KRR), addresses.

The bundled synthetic registry is the embedded default; HTTP adapters speak the real APIs' shapes.
Nothing here stores personal data: adapters fetch on demand and callers drop the results after use.
"""
