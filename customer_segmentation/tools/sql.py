"""SQL helpers shared by the Customer Insight engines."""

from typing import NamedTuple

from odoo.tools import SQL


class IdRange(NamedTuple):
    """Commercial partners whose id is in ]low, high]: one batch of a resumable run."""

    low: int
    high: int


def tune_transaction(cr):
    """Settings for the rest of the transaction of an engine's large statements: JIT
    compilation costs seconds per statement and buys nothing here; sorts and hashes of a
    whole population deserve more than the default 4 MB."""
    cr.execute(SQL("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"))


def analyze_if_stale(cr, *tables, committed=True):
    """ANALYZE those of ``tables`` whose statistics are stale by autovacuum's own rule
    (more rows changed since their last ANALYZE than 50 + 10 % of the rows it counted),
    counting the changes of the current transaction, which autovacuum only sees after the
    commit: the next statements then plan on the rows just written in bulk (on statistics
    of an empty table a join over many customers goes quadratic). A table never analyzed
    is stale too: autovacuum never analyzes a table of fewer than 50 rows, and a grouping
    by a record of one (a segment, a channel) sorted a million rows on disk, its groups
    guessed from PostgreSQL's defaults (value predictions at 1m: 2.1 s to 0.8 s).

    ``committed=False`` counts the current transaction's changes only and leaves what
    other transactions committed to autovacuum: PostgreSQL adds a transaction's changes to
    the table's counter at its commit, after the ANALYZE it made of them, so counting the
    committed changes would analyze the same rows again in the next transaction."""
    committed_changes = SQL("s.n_mod_since_analyze + ") if committed else SQL()
    _analyze_where(
        cr,
        tables,
        SQL(
            """s.last_analyze IS NULL AND s.last_autoanalyze IS NULL
               OR %s x.n_tup_ins + x.n_tup_upd + x.n_tup_del
                  > 50 + 0.1 * GREATEST(c.reltuples, 0)""",
            committed_changes,
        ),
    )


def analyze_if_grown(cr, *tables):
    """ANALYZE those of ``tables`` that hold more than twice the rows the planner believes
    (plus 50): for tables a long transaction fills batch after batch, which
    ``analyze_if_stale`` would analyze at every batch (the transaction's changes stay
    counted after its ANALYZE). Doubling keeps the plans of a nearly empty table from
    scanning it, with a few ANALYZEs per run (one per 10 % of growth cost 100 per table
    over a first run at a million customers). Live rows are the committed ones plus the
    transaction's inserts less its deletes; PostgreSQL keeps the transaction's rows out of
    the committed count that an ANALYZE in the transaction reports, and in the row count
    it gives the planner."""
    _analyze_where(
        cr,
        tables,
        SQL("s.n_live_tup + x.n_tup_ins - x.n_tup_del > 50 + 2 * GREATEST(c.reltuples, 0)"),
    )


def analyze_if_company_misjudged(cr, table, company_id):
    """ANALYZE ``table`` when the planner's belief of its rows of ``company_id`` (its
    statistics of the column company_id) is off by more than 50 + 10 % of their count. A
    company whose rows were written after the last ANALYZE, in transactions too small to
    make the table stale (a second company's first run, batch after batch), is believed
    to have almost none, and a join over them then becomes a nested loop over all of them
    (minutes at a million rows)."""
    cr.execute(
        SQL(
            """
            SELECT (SELECT COUNT(*) FROM %(table)s WHERE company_id = %(company)s),
                   GREATEST(c.reltuples, 0) * COALESCE((
                       SELECT s.most_common_freqs[
                                  array_position(s.most_common_vals::text::int[], %(company)s)]
                         FROM pg_stats s
                        WHERE s.schemaname = current_schema() AND s.tablename = %(name)s
                          AND s.attname = 'company_id'), 0)
              FROM pg_class c WHERE c.oid = %(name)s::regclass
            """,
            table=SQL.identifier(table),
            company=company_id,
            name=table,
        )
    )
    count, believed = cr.fetchone()
    if abs(count - believed) > 50 + 0.1 * count:
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))


def _analyze_where(cr, tables, condition):
    """ANALYZE those of ``tables`` whose statistics meet ``condition`` (SQL over the
    cumulative counters ``s``, the transaction's ``x`` and the planner's ``c``)."""
    cr.execute(SQL("SELECT pg_stat_clear_snapshot()"))  # counters as of now, not cached
    cr.execute(
        SQL(
            """
            SELECT s.relname FROM pg_stat_user_tables s
              JOIN pg_stat_xact_user_tables x ON x.relid = s.relid
              JOIN pg_class c ON c.oid = s.relid
             WHERE s.relname IN %s AND (%s)
            """,
            tables,
            condition,
        )
    )
    chosen = [name for (name,) in cr.fetchall()]
    if chosen:
        cr.execute(SQL("ANALYZE %s", SQL(", ").join(SQL.identifier(name) for name in chosen)))


def partner_scope(column, partners):
    """``AND column`` (a commercial partner id) is one of ``partners``: None for every
    partner (no condition), a list of ids, or an :class:`IdRange`."""
    if partners is None:
        return SQL()
    if isinstance(partners, IdRange):
        return SQL("AND %s > %s AND %s <= %s", column, partners.low, column, partners.high)
    return SQL("AND %s = ANY(%s)", column, list(partners))


def contacts_scope(column, partners):
    """``AND column`` (a contact id) belongs to one of ``partners`` (commercial partners,
    as for :func:`partner_scope`), written to use the index on the contact column."""
    if partners is None:
        return SQL()
    if isinstance(partners, IdRange):
        contacts = SQL(
            "SELECT id FROM res_partner WHERE TRUE %s",
            partner_scope(SQL.identifier("commercial_partner_id"), partners),
        )
    else:
        # Read by the index, id after id. "commercial_partner_id = ANY(ids)", or a plain
        # join that the planner turns into a hash of every partner from about 1 500 ids,
        # scanned all the partners (0.1 s at 100k against a few ms of index reads). OFFSET 0
        # keeps the subquery from being merged into a join.
        contacts = SQL(
            "SELECT rp.id FROM unnest(%s::int[]) AS c(id) CROSS JOIN LATERAL ("
            "SELECT id FROM res_partner WHERE commercial_partner_id = c.id OFFSET 0) rp",
            list(partners),
        )
    return SQL("AND %s IN (%s)", column, contacts)


def merge_partner_rows(cr, table, key, src_ids, dst_id, prefer=None):
    """Give the rows of ``table`` that belong to the partners ``src_ids`` to ``dst_id``,
    keeping one row per ``key`` (a column name, unique together with partner_id): the
    first by ``prefer`` (an SQL ordering), then the destination's own row, then the oldest.
    The other rows of the key are deleted: the engines recompute what they derived."""
    ranked = SQL(
        """SELECT id, ROW_NUMBER() OVER (
                      PARTITION BY %(key)s ORDER BY %(prefer)s partner_id = %(dst)s DESC, id
                  ) AS rank
             FROM %(table)s WHERE partner_id = ANY(%(partners)s)""",
        key=SQL.identifier(key),
        prefer=SQL("%s,", prefer) if prefer else SQL(),
        dst=dst_id,
        table=SQL.identifier(table),
        partners=[*src_ids, dst_id],
    )
    cr.execute(
        SQL(
            "DELETE FROM %s t USING (%s) r WHERE t.id = r.id AND r.rank > 1",
            SQL.identifier(table),
            ranked,
        )
    )
    cr.execute(
        SQL(
            "UPDATE %s SET partner_id = %s WHERE partner_id = ANY(%s)",
            SQL.identifier(table),
            dst_id,
            list(src_ids),
        )
    )


def rewrite_rows(cr, table, scope, columns, rows):
    """Make the rows of ``table`` within ``scope`` ({column: value}) those of the query
    ``rows`` (selecting ``columns``), deleting the stored rows that differ and inserting
    the missing ones: equal rows are left untouched. Rows are compared by their text form
    (NULLs included), which a hash join matches. Returns the rows deleted or inserted."""

    def text_of(alias):
        return SQL("ROW(%s)::text", SQL(", ").join(SQL.identifier(alias, c) for c in columns))

    cr.execute(
        SQL(
            """
            WITH new AS (SELECT n.*, %(new_text)s AS row_text FROM (%(rows)s) n),
            old AS (SELECT t.id, %(old_text)s AS row_text FROM %(table)s t WHERE %(scope)s),
            removed AS (
                DELETE FROM %(table)s t USING old o
                 WHERE t.id = o.id
                   AND NOT EXISTS (SELECT 1 FROM new n WHERE n.row_text = o.row_text)
                RETURNING 1
            ),
            added AS (
                INSERT INTO %(table)s (%(scope_columns)s, %(columns)s)
                SELECT %(scope_values)s, %(columns)s FROM new n
                 WHERE NOT EXISTS (SELECT 1 FROM old o WHERE o.row_text = n.row_text)
                RETURNING 1
            )
            SELECT (SELECT COUNT(*) FROM removed) + (SELECT COUNT(*) FROM added)
            """,
            new_text=text_of("n"),
            rows=rows,
            old_text=text_of("t"),
            table=SQL.identifier(table),
            scope=SQL(" AND ").join(
                SQL("%s = %s", SQL.identifier("t", column), value)
                for column, value in scope.items()
            ),
            scope_columns=SQL(", ").join(SQL.identifier(column) for column in scope),
            scope_values=SQL(", ").join(SQL("%s", value) for value in scope.values()),
            columns=SQL(", ").join(SQL.identifier(column) for column in columns),
        )
    )
    return cr.fetchone()[0]
