"""The network: the only package that opens sockets.

``client`` (the ``Fetcher``: redirects, retries, bodies), ``guard`` (which addresses may be
reached), ``politeness`` (per-host schedule), ``robots`` (robots.txt) and ``inflate`` (bounded
decompression). Import from the submodules; this package imports nothing itself.
"""
