"""stravasync.archive: fill an athlete's history from their Strava account export (a zip).

``importer.import_archive`` reads activities.csv and the activity files it references (FIT, GPX,
TCX, possibly gzipped), stores what the archive holds marked ``source='archive'``, and asks the
sync engine for one cheap reconcile listing that brings ids, names and privacy up to date.
"""
