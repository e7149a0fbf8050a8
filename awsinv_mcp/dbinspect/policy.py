"""The guard's allow-lists: statement node kinds, functions per dialect, read-only PRAGMAs, secret tables.

Everything not listed here is refused. Functions are listed by the names users type; the guard maps each to
the sqlglot class it parses into. Left out on purpose: file, program, network, lock, sleep, session, sequence
and admin functions (pg_read_file, lo_export, dblink, pg_sleep, pg_advisory_lock, set_config, nextval,
pg_terminate_backend, load_file, sleep, benchmark, get_lock, load_extension, ...) and the ones that build
huge values from a small input (repeat, lpad/rpad, space, zeroblob, randomblob, printf).
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


ALLOWED_NODES = frozenset(
    _words(
        """
    Select Union Intersect Except Values Subquery From Join Where Group Having Order Ordered Limit Offset Fetch
    LimitOptions Column Identifier Literal Star Alias Aliases TableAlias Table CTE With Window WindowSpec Filter
    WithinGroup Distinct Lateral Tuple Paren Null Boolean Placeholder Var DataType DataTypeParam Interval
    IntervalSpan Bracket Slice Dot Between In Is Like ILike SimilarTo Glob Exists Any All Not Neg BitwiseNot
    Add Sub Mul Div IntDiv Mod EQ NEQ GT GTE LT LTE NullSafeEQ NullSafeNEQ And Or Xor DPipe BitwiseAnd
    BitwiseOr BitwiseXor BitwiseLeftShift BitwiseRightShift Collate Escape Cube Rollup GroupingSets
    IgnoreNulls RespectNulls AtTimeZone Overlaps SessionParameter Show Kwarg JSONColumnDef JSONSchema
    ColumnDef Pseudocolumn ArrayContainsAll ArrayOverlaps ArrayContains JSONBContains Operator RegexpILike
    JSONPath ObjectIdentifier TableSample JSONKeyValue
    """
    )
)

OPERATOR_FUNCTIONS = frozenset(
    _words(
        """
    Cast TryCast Case If Extract Array Coalesce Nullif Unnest JSONExtract JSONExtractScalar JSONBExtract
    JSONBExtractScalar JSONBContains ArrayContains ArrayContainsAll ArrayOverlaps Struct
    """
    )
)
"""sqlglot models these operators and syntax forms as functions; they compute values and nothing else."""

_COMMON = _words(
    """
abs avg ceil ceiling coalesce count floor greatest least length lower upper max min nullif round sum trim ltrim
rtrim substr substring replace concat mod power sqrt exp ln log sign row_number rank dense_rank percent_rank
cume_dist ntile lag lead first_value last_value nth_value stddev stddev_pop stddev_samp variance var_pop var_samp
current_date current_time current_timestamp cast char_length character_length reverse left right
"""
)

FUNCTIONS: dict[str, frozenset[str]] = {
    "postgresql": frozenset(
        _COMMON
        + _words(
            """
        now date_trunc date_part age to_char to_date to_timestamp to_number make_date make_time make_timestamp
        make_interval justify_days justify_hours justify_interval isfinite clock_timestamp statement_timestamp
        transaction_timestamp timezone localtime localtimestamp string_agg array_agg array_length array_to_string
        string_to_array unnest cardinality array_position array_positions array_upper array_lower array_dims
        array_cat array_append array_prepend array_remove jsonb_agg json_agg jsonb_build_object json_build_object
        jsonb_build_array json_build_array jsonb_object_agg json_object_agg jsonb_array_elements
        jsonb_array_elements_text json_array_elements json_array_elements_text jsonb_each jsonb_each_text
        json_each json_each_text jsonb_object_keys json_object_keys jsonb_typeof json_typeof jsonb_extract_path
        jsonb_extract_path_text json_extract_path json_extract_path_text jsonb_pretty to_json to_jsonb
        row_to_json jsonb_array_length json_array_length jsonb_strip_nulls jsonb_path_query jsonb_path_exists
        regexp_replace regexp_match regexp_matches regexp_split_to_array regexp_split_to_table regexp_like
        split_part strpos initcap md5 sha256 encode decode quote_ident quote_literal concat_ws octet_length
        btrim translate starts_with percentile_cont percentile_disc mode bool_and bool_or every bit_and bit_or
        generate_series generate_subscripts width_bucket random gen_random_uuid pg_size_pretty pg_relation_size
        pg_total_relation_size pg_table_size pg_indexes_size pg_database_size pg_column_size pg_typeof
        format_type obj_description col_description pg_get_viewdef pg_get_indexdef pg_get_constraintdef
        pg_get_expr pg_get_userbyid has_table_privilege has_schema_privilege has_database_privilege
        has_column_privilege current_schema current_schemas current_database current_user session_user version
        current_setting pg_is_in_recovery pg_last_xact_replay_timestamp pg_postmaster_start_time to_regclass
        to_regtype date num_nonnulls num_nulls row corr covar_pop covar_samp regr_slope regr_intercept
        regr_r2 regr_count trunc div cbrt degrees radians pi sin cos tan atan atan2 log10 any_value
        array_fill string_to_table ascii chr position overlay lcm gcd factorial
        """
        )
    ),
    "mysql": frozenset(
        _COMMON
        + _words(
            """
        now curdate curtime sysdate utc_timestamp utc_date date_format str_to_date date_add date_sub adddate
        subdate datediff timestampdiff timestampadd year month day dayofweek dayofmonth dayofyear hour minute
        second week weekday weekofyear quarter monthname dayname unix_timestamp from_unixtime last_day
        makedate maketime convert_tz date time timediff time_to_sec sec_to_time to_days from_days ifnull if
        isnull group_concat concat_ws locate instr field find_in_set format lcase ucase hex unhex md5 sha1 sha2
        json_extract json_unquote json_object json_array json_arrayagg json_objectagg json_keys json_length
        json_contains json_contains_path json_valid json_type json_value json_depth json_search json_overlaps
        json_pretty json_table regexp_replace regexp_substr regexp_instr regexp_like database schema
        current_user version connection_id convert bit_count conv crc32 truncate rand uuid inet_ntoa inet_aton
        any_value std bit_and bit_or bit_xor strcmp soundex ascii ord char bin oct elt mid octet_length
        log2 log10 pi sin cos tan atan atan2 degrees radians pow lower upper last_value timestamp
        extract position std stddev_pop substring_index json_merge_patch json_quote weight_string
        """
        )
    ),
    "sqlite": frozenset(
        _COMMON
        + _words(
            """
        char date time datetime julianday strftime unixepoch glob hex ifnull iif instr like likelihood
        likely unlikely quote random replace typeof unicode group_concat string_agg total json json_extract
        json_array json_object json_each json_tree json_type json_valid json_group_array json_group_object
        json_array_length json_quote json_patch json_remove json_set json_insert json_replace sqlite_version
        pragma_table_info pragma_table_xinfo pragma_index_list pragma_index_info pragma_index_xinfo
        pragma_foreign_key_list pragma_table_list pragma_database_list concat_ws pow log2 log10 pi sin cos tan
        atan atan2 degrees radians trunc octet_length unhex
        """
        )
    ),
}
FUNCTIONS["mariadb"] = FUNCTIONS["mysql"]

ALLOWED_PRAGMAS = frozenset(
    _words(
        """
    table_info table_xinfo table_list index_list index_info index_xinfo foreign_key_list foreign_key_check
    integrity_check quick_check page_count page_size freelist_count database_list collation_list function_list
    compile_options user_version schema_version application_id encoding journal_mode auto_vacuum foreign_keys
    data_version max_page_count
    """
    )
)

PRAGMAS_WITH_ARGUMENT = frozenset(
    _words(
        """
    table_info table_xinfo table_list index_list index_info index_xinfo foreign_key_list foreign_key_check
    integrity_check quick_check
    """
    )
)
"""PRAGMAs whose argument names a table or index (the others would take it as an assignment)."""

SENSITIVE_TABLES: dict[str, frozenset[str]] = {
    "postgresql": frozenset({
        "pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings", "pg_largeobject",
        "pg_file_settings", "pg_hba_file_rules", "pg_ident_file_mappings",  # server config files (privileged logins)
        "pg_subscription", "pg_stat_wal_receiver",  # replication connection strings (passwords)
    }),
    "mysql": frozenset({
        "mysql.user", "mysql.global_priv", "global_priv", "mysql.slave_master_info", "mysql.slave_relay_log_info",
        "mysql.servers",  # FEDERATED / CONNECT server definitions hold their passwords
        "mysql.password_reuse_check_history",
    }),
    "sqlite": frozenset(),
}  # fmt: skip
"""Catalogue tables and views that hold credentials or server configuration: refused by name in any query."""
SENSITIVE_TABLES["mariadb"] = SENSITIVE_TABLES["mysql"]
