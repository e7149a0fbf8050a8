"""The tools, as plain functions by area; `server/catalog.py` lists and registers them."""
