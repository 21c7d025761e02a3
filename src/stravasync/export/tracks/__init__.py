"""Track files: an activity's track (points, laps, metadata) written as GPX 1.1 or TCX 2, one
file or a directory of them.
"""
