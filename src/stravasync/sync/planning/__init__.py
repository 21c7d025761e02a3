"""The engine's pure decisions (time and facts in, a decision out): which mode an athlete needs
and when, the refresh cadence, when to read gear, whether to fetch streams, and what unconfirmed
webhook events may read.
"""
