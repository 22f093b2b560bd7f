"""The leaf layer: message catalog, text and Block Kit helpers that every other package may use.

Nothing here imports from ``bot``, ``handlers``, ``digests`` or ``storage``.
"""
