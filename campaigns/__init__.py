"""Campaigns: test-campaign planning, results ingest, reply-rate statistics and the campaign store.

The room is empty until the campaign work lands; it already keeps the import rule
(`flows` -> `campaigns` -> `messaging`, `targeting`; never Prefect).
"""
