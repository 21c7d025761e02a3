"""The mirror itself: activities and their details, streams, gear and original files.

Modules: ``activities`` (the summaries: apply, tombstone, remove), ``summaries`` and
``summary_rows`` (Strava's JSON to rows), ``details`` and ``detail_freshness`` (what an enrich
pass fetches), ``streams`` and ``streampack``, ``gear``, ``originals``, ``removals``, and the
read sides: ``activity_reads`` (the data API), ``track_reads`` (GPX/TCX), ``exports`` (keyset
pages), ``archive`` (the account-export import).
"""
