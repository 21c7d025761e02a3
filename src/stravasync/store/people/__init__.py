"""Athletes and what belongs to them: the connection and its tokens, their signed-in pages.

Modules: ``athletes`` (rows and sync-state overview), ``athlete_pages`` (the operator's
overview pages), ``tokens`` (encrypted tokens, OAuth states), ``me`` and ``my_activities`` (the
athlete's own pages and audit log), ``purge`` (every row about a deauthorized athlete).
"""
