"""Shared page code, one module per job: uploads, live jobs, session stores, links, patches.

UI only: every computation is in ``core``.
"""
