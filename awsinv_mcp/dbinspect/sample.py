"""The built-in sample database: a small SQLite shop generated on first use, so a fresh install has a database to
inspect (issue 17 item 15).

It is offered only when no database is configured (`AWSINV_DATABASES`, `[databases.NAME]`), under the name
`sample`, read-only like any SQLite connection, and its description says the data is synthetic. The file is written
once per schema version to the user's cache directory (`$XDG_CACHE_HOME/awsinv-mcp` or `~/.cache/awsinv-mcp`),
atomically (a temporary file renamed into place), and never into the package.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from awsinv_mcp.dbinspect.connections import ConnectionSpec

SAMPLE_NAME = "sample"
VERSION = 1
DESCRIPTION = "built-in sample shop (synthetic data); set AWSINV_DATABASES to inspect your own databases"

SCHEMA = """
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, country TEXT NOT NULL,
                        created_at TEXT NOT NULL);
CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
                       price REAL NOT NULL CHECK (price >= 0));
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
                     status TEXT NOT NULL, placed_at TEXT NOT NULL);
CREATE TABLE order_items (order_id INTEGER NOT NULL REFERENCES orders(id), product_id INTEGER NOT NULL
                          REFERENCES products(id), quantity INTEGER NOT NULL, PRIMARY KEY (order_id, product_id));
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE VIEW order_totals AS
  SELECT o.id AS order_id, o.customer_id, SUM(i.quantity * p.price) AS total
  FROM orders o JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id GROUP BY o.id;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 200)
  INSERT INTO customers SELECT n, 'Customer ' || n, 'customer' || n || '@example.com',
    CASE n % 4 WHEN 0 THEN 'DE' WHEN 1 THEN 'US' WHEN 2 THEN 'FR' ELSE 'JP' END,
    date('2025-01-01', '+' || (n * 3 % 365) || ' days') FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 40)
  INSERT INTO products
  SELECT n, 'SKU-' || printf('%04d', n), 'Product ' || n, round(5 + (n * 37 % 200) + 0.99, 2) FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)
  INSERT INTO orders
  SELECT n, 1 + n * 7 % 200, CASE n % 10 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'pending' ELSE 'shipped' END,
    datetime('2025-06-01', '+' || (n * 11 % 500) || ' hours') FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)
  INSERT INTO order_items SELECT n, 1 + n * 13 % 40, 1 + n % 3 FROM g
  UNION ALL SELECT n, 1 + (n * 13 + 7) % 40, 1 FROM g WHERE n % 2 = 0;
"""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "awsinv-mcp"


def ensure_sample(folder: Path | None = None) -> Path:
    """The sample database's path, generating it first if it is not there yet."""
    folder = folder or cache_dir()
    path = folder / f"sample-v{VERSION}.db"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sample-", suffix=".db", dir=folder)
    os.close(fd)
    try:
        with sqlite3.connect(tmp) as conn:
            conn.executescript(SCHEMA)
        conn.close()
        os.replace(tmp, path)  # atomic: a concurrent first use sees no file or a whole one
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def sample_spec(folder: Path | None = None) -> ConnectionSpec:
    path = ensure_sample(folder)
    return ConnectionSpec(SAMPLE_NAME, "sqlite", DESCRIPTION, f"sqlite:///{path}", str(path))
