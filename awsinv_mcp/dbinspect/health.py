"""database_health per dialect: version, size, sessions, long-running queries, cache hit ratio, index hygiene,
largest tables, bloat, replication. Each probe degrades on its own: when the login may not see something,
the answer says what was not visible and which grant would show it. It warns when the login is too powerful.
"""

from __future__ import annotations

import re
from typing import Any

from awsinv_mcp.dbinspect.dialects import Dialect, dialect
from awsinv_mcp.dbinspect.engines import Database
from awsinv_mcp.errors import UpstreamError
from awsinv_mcp.models.answers import WarningOut
from awsinv_mcp.models.database import HealthAnswer, NotVisible

LONG_RUNNING_S = 60
_PASSWORDS = re.compile(r"(password|identified\s+by)\s*(=\s*)?'[^']*'", re.I)


class _Probe:
    """Runs one catalog query at a time through the dialect; a failure is recorded, never raised."""

    def __init__(self, conn: Any, d: Dialect, answer: HealthAnswer) -> None:
        self.conn, self.dialect, self.answer = conn, d, answer

    def rows(self, sql: str, item: str, grant: str | None = None) -> list[tuple[Any, ...]] | None:
        try:
            return self.dialect.probe(self.conn, sql)
        except Exception as exc:
            self.answer.not_visible.append(
                NotVisible(item=item, reason=str(getattr(exc, "args", [exc])[-1])[:160], grant=grant)
            )
            return None
        finally:
            if self.dialect.transactional:
                self.conn.rollback()


def _clip(text: Any) -> str | None:
    return _PASSWORDS.sub(r"\1 '***'", str(text))[:200] if text is not None else None


def database_health(db: Database) -> HealthAnswer:
    with db.connection() as conn:
        answer = HealthAnswer(database=db.name, dialect=db.dialect, version=db.server_version)
        d = dialect(db.dialect)
        d.health(_Probe(conn, d, answer), answer)
    if answer.version is None and answer.size_bytes is None:
        raise UpstreamError(f"database {db.name!r} answered none of the health probes")
    return answer


def postgres_health(p: _Probe, a: HealthAnswer) -> None:
    me = p.rows(
        "SELECT r.rolsuper, pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER'), "
        "pg_has_role(current_user, 'pg_read_server_files', 'MEMBER'), "
        "pg_has_role(current_user, 'pg_write_server_files', 'MEMBER'), "
        "pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER'), current_user, "
        "current_setting('server_version'), pg_database_size(current_database()) "
        "FROM pg_roles r WHERE r.rolname = current_user",
        "role attributes",
    )
    superuser = stats = False
    if me:
        superuser, stats, read_files, write_files, program, user, a.version, a.size_bytes = me[0]
        if superuser:
            a.warnings.append(_powerful(f"the configured login {user!r} is a superuser"))
        for flag, role in ((read_files, "read"), (write_files, "write"), (program, "execute")):
            if flag and not superuser:
                a.warnings.append(_powerful(f"the configured login may {role} server files or programs"))
        if not (superuser or stats):
            a.not_visible.append(
                NotVisible(
                    item="other sessions' state and query text",
                    reason="pg_stat_activity hides other users' sessions",
                    grant=f"GRANT pg_monitor TO {user}",
                )
            )
    rows = p.rows(
        "SELECT coalesce(state, 'hidden'), count(*) FROM pg_stat_activity "
        "WHERE backend_type = 'client backend' GROUP BY 1",
        "connections",
    )
    a.connections = {r[0]: r[1] for r in rows} if rows is not None else None
    rows = p.rows(
        "SELECT pid, usename, state, extract(epoch FROM now() - query_start)::int, query FROM pg_stat_activity "
        f"WHERE state <> 'idle' AND query_start < now() - interval '{LONG_RUNNING_S} seconds' "
        "AND pid <> pg_backend_pid() ORDER BY query_start LIMIT 10",
        "long-running queries",
    )
    a.long_running = [
        {"pid": r[0], "user": r[1], "state": r[2], "seconds": r[3], "query": _clip(r[4])} for r in rows or []
    ]
    rows = p.rows(
        "SELECT sum(blks_hit)::float8 / nullif(sum(blks_hit) + sum(blks_read), 0) FROM pg_stat_database "
        "WHERE datname = current_database()",
        "cache hit ratio",
    )
    a.cache_hit_ratio = round(rows[0][0], 4) if rows and rows[0][0] is not None else None
    rows = p.rows(
        "SELECT s.schemaname, s.relname, s.indexrelname, pg_relation_size(s.indexrelid) FROM pg_stat_user_indexes s "
        "JOIN pg_index i ON i.indexrelid = s.indexrelid WHERE s.idx_scan = 0 AND NOT i.indisunique "
        "AND NOT i.indisprimary ORDER BY 4 DESC, 3 LIMIT 20",
        "unused indexes",
    )
    a.unused_indexes = [{"schema": r[0], "table": r[1], "index": r[2], "size_bytes": r[3]} for r in rows or []]
    rows = p.rows(
        "SELECT n.nspname, c.relname, array_agg(ic.relname ORDER BY ic.relname) FROM pg_index i "
        "JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "GROUP BY n.nspname, c.relname, i.indkey::text, coalesce(i.indexprs::text, ''), "
        "coalesce(i.indpred::text, ''), i.indclass::text HAVING count(*) > 1 LIMIT 20",
        "duplicate indexes",
    )
    a.duplicate_indexes = [{"schema": r[0], "table": r[1], "indexes": list(r[2])} for r in rows or []]
    rows = p.rows(
        "SELECT n.nspname, c.relname, pg_total_relation_size(c.oid), "
        "CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm', 'p') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%' "
        "ORDER BY 3 DESC LIMIT 10",
        "largest tables",
    )
    a.largest_tables = [{"schema": r[0], "table": r[1], "size_bytes": r[2], "row_estimate": r[3]} for r in rows or []]
    rows = p.rows(
        "SELECT schemaname, relname, n_live_tup, n_dead_tup, pg_relation_size(relid) FROM pg_stat_user_tables "
        "WHERE n_dead_tup > 0 ORDER BY n_dead_tup DESC LIMIT 10",
        "bloat estimate",
    )
    a.bloat = [
        {
            "schema": r[0],
            "table": r[1],
            "dead_tuples": r[3],
            "dead_ratio": round(r[3] / max(r[2] + r[3], 1), 3),
            "reclaimable_bytes_estimate": int(r[4] * r[3] / max(r[2] + r[3], 1)),
        }
        for r in rows or []
    ]
    rows = p.rows(
        "SELECT pg_is_in_recovery(), extract(epoch FROM now() - pg_last_xact_replay_timestamp()), "
        "(SELECT count(*) FROM pg_stat_replication), "
        "(SELECT max(extract(epoch FROM replay_lag)) FROM pg_stat_replication)",
        "replication",
    )
    if rows:
        standby, lag, replicas, replica_lag = rows[0]
        a.replication = (
            {"role": "standby", "lag_seconds": round(lag, 1) if lag is not None else None}
            if standby
            else {"role": "primary", "replicas": replicas, "max_replica_lag_seconds": replica_lag}
        )


def _powerful(message: str) -> WarningOut:
    return WarningOut(
        scope="login",
        message=f"{message}; the read-only guard still holds, but configure a dedicated read-only role "
        "(docs/databases.md gives the SQL)",
    )


def mysql_health(p: _Probe, a: HealthAnswer, replication_status: str, replication_grant: str) -> None:
    me = p.rows(
        'SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = CONCAT("\'", '
        "SUBSTRING_INDEX(CURRENT_USER(), '@', 1), \"'@'\", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), \"'\")",
        "privileges",
    )
    privileges = {str(r[0]).upper() for r in me or []}
    if "SUPER" in privileges:
        a.warnings.append(_powerful("the configured login holds SUPER"))
    if "FILE" in privileges:
        a.warnings.append(_powerful("the configured login holds the FILE privilege (it can read and write files)"))
    rows = p.rows("SELECT VERSION(), (SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES)", "size")
    if rows:
        a.version = rows[0][0]
        a.size_bytes = int(rows[0][1]) if rows[0][1] is not None else None
    if "PROCESS" not in privileges:
        a.not_visible.append(
            NotVisible(
                item="other sessions and their queries",
                reason="the processlist shows only this login's own sessions",
                grant="GRANT PROCESS ON *.* TO <login>",
            )
        )
    rows = p.rows("SELECT COMMAND, COUNT(*) FROM information_schema.PROCESSLIST GROUP BY COMMAND", "connections")
    a.connections = {str(r[0]).lower(): int(r[1]) for r in rows} if rows is not None else None
    rows = p.rows(
        "SELECT ID, USER, COMMAND, TIME, INFO FROM information_schema.PROCESSLIST "
        f"WHERE COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump') AND TIME > {LONG_RUNNING_S} "
        "AND ID <> CONNECTION_ID() ORDER BY TIME DESC LIMIT 10",
        "long-running queries",
    )
    a.long_running = [
        {"id": r[0], "user": r[1], "state": r[2], "seconds": r[3], "query": _clip(r[4])} for r in rows or []
    ]
    rows = p.rows("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_read%%'", "buffer pool hit ratio")
    status = {str(r[0]).lower(): float(r[1]) for r in rows or []}
    requests, reads = status.get("innodb_buffer_pool_read_requests"), status.get("innodb_buffer_pool_reads")
    a.cache_hit_ratio = round(1 - reads / requests, 4) if requests and reads is not None else None
    enabled = p.rows("SELECT @@performance_schema", "performance_schema")
    if enabled and int(enabled[0][0]):
        rows = p.rows(
            "SELECT OBJECT_SCHEMA, OBJECT_NAME, INDEX_NAME "
            "FROM performance_schema.table_io_waits_summary_by_index_usage "
            "WHERE INDEX_NAME IS NOT NULL AND INDEX_NAME <> 'PRIMARY' AND COUNT_STAR = 0 "
            "AND OBJECT_SCHEMA NOT IN ('mysql', 'performance_schema', 'sys') LIMIT 20",
            "unused indexes",
            "GRANT SELECT ON performance_schema.* TO <login>",
        )
        a.unused_indexes = [{"schema": r[0], "table": r[1], "index": r[2]} for r in rows or []]
    else:
        a.not_visible.append(
            NotVisible(
                item="unused indexes",
                reason="performance_schema is off, so index usage is not recorded",
                grant="performance_schema=ON in the server configuration",
            )
        )
    rows = p.rows(
        "SELECT TABLE_SCHEMA, TABLE_NAME, GROUP_CONCAT(INDEX_NAME ORDER BY INDEX_NAME), cols FROM ("
        "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) cols "
        "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA NOT IN ('mysql', 'sys', 'performance_schema') "
        "GROUP BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME) x GROUP BY TABLE_SCHEMA, TABLE_NAME, cols "
        "HAVING COUNT(*) > 1 LIMIT 20",
        "duplicate indexes",
    )
    a.duplicate_indexes = [
        {"schema": r[0], "table": r[1], "indexes": str(r[2]).split(","), "columns": str(r[3]).split(",")}
        for r in rows or []
    ]
    rows = p.rows(
        "SELECT TABLE_SCHEMA, TABLE_NAME, DATA_LENGTH + INDEX_LENGTH, TABLE_ROWS, DATA_FREE "
        "FROM information_schema.TABLES "
        "WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN "
        "('mysql', 'sys', 'performance_schema', 'information_schema') ORDER BY 3 DESC LIMIT 200",
        "largest tables",
    )
    a.largest_tables = [
        {"schema": r[0], "table": r[1], "size_bytes": int(r[2] or 0), "row_estimate": r[3]} for r in (rows or [])[:10]
    ]
    a.bloat = [
        {"schema": r[0], "table": r[1], "reclaimable_bytes_estimate": int(r[4])}
        for r in sorted(rows or [], key=lambda r: -(r[4] or 0))
        if r[4] and r[4] > 10 * 1024 * 1024
    ][:10]
    rows = p.rows(
        replication_status,
        "replication",
        replication_grant,
    )
    if rows is not None:
        a.replication = {"role": "replica", "channels": len(rows)} if rows else {"role": "primary or standalone"}


def sqlite_health(p: _Probe, a: HealthAnswer) -> None:
    rows = p.rows("SELECT sqlite_version()", "version")
    a.version = rows[0][0] if rows else None
    pages = p.rows(
        "SELECT page_count, page_size, freelist_count FROM pragma_page_count, pragma_page_size, pragma_freelist_count",
        "size",
    )
    if pages:
        count, size, free = pages[0]
        a.size_bytes = count * size
        a.bloat = [{"schema": "main", "table": "*", "reclaimable_bytes_estimate": free * size}] if free else []
    a.connections = None
    sizes = p.rows(
        "SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat d JOIN sqlite_schema m ON m.name = d.name "
        "WHERE m.tbl_name NOT LIKE 'sqlite\\_%' ESCAPE '\\' GROUP BY m.tbl_name ORDER BY 2 DESC LIMIT 10",
        "largest tables",
        "a SQLite build with SQLITE_ENABLE_DBSTAT_VTAB",
    )
    a.largest_tables = [{"schema": "main", "table": r[0], "size_bytes": r[1]} for r in sizes or []]
    rows = p.rows(
        "SELECT m.name, il.name, group_concat(ii.name) FROM sqlite_schema m JOIN pragma_index_list(m.name) il "
        "JOIN pragma_index_info(il.name) ii WHERE m.type = 'table' GROUP BY m.name, il.name",
        "duplicate indexes",
    )
    groups: dict[tuple[str, str], list[str]] = {}
    for table, index, cols in rows or []:
        groups.setdefault((table, cols), []).append(index)
    a.duplicate_indexes = [
        {"schema": "main", "table": t, "indexes": sorted(ix), "columns": c.split(",")}
        for (t, c), ix in groups.items()
        if len(ix) > 1
    ]
    a.not_visible.append(
        NotVisible(
            item="sessions, long-running queries, cache and index usage", reason="SQLite keeps no such statistics"
        )
    )
