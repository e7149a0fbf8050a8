"""Snapshot history: snapshots kept in a SQL store (SQLite or PostgreSQL), each record version stored once.

`codec` turns records into canonical JSON and a content hash, `schema` declares the tables, `sql` writes a
snapshot in one transaction and reads snapshots, memberships and record versions back. `inventory/diff.py`
compares two snapshots' memberships.
"""
