"""The tables, one module per area, all on one ``MetaData`` (:mod:`.meta`).

Other code names tables through :mod:`stravasync.store.schema`, which joins these modules;
migrations and the store's own modules may import a module here directly.
"""
