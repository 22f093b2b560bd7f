"""Finding people and topics: `/kring who`, `trending`, `profile`, `suggest` and `followers`.

One module per subcommand; each reads through storage.discovery and answers with Block Kit (one
section per person or tag, with a Follow button where following is possible) built by
ui.blocks. Each module also has a ``redraw`` that draws its answer again after a click; the
command registry (handlers.registry) ties them together.
"""
