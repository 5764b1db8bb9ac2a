from odoo import api, models
from odoo.tools import SQL

from ..tools import tune_transaction


class CustomerInsightAnalysis(models.AbstractModel):
    """Models whose analysis views group up to millions of rows: their grouping queries
    (lists, graphs and pivots) run without JIT compilation, which costs more than it saves,
    and sort in memory (``tune_transaction``)."""

    _name = "customer.insight.analysis"
    _description = "Customer Insight Analysis"

    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        tune_transaction(self.env.cr)
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        tune_transaction(self.env.cr)
        return super()._read_grouping_sets(domain, grouping_sets, aggregates, order)


class CustomerInsightReport(models.AbstractModel):
    """What the analysis reports share. A report is made of fact rows: each source of facts
    is one SELECT that names the columns it fills, the others are filled by name (0 for a
    measure, NULL for a dimension). Rates are computed from the sums of the grouped rows,
    never averaged over rows."""

    _name = "customer.insight.report"
    _inherit = ["customer.insight.analysis"]
    _description = "Customer Insight Report"

    # {column of the fact rows: value when a source does not fill it}, in order
    _fact_columns = {}
    # {rate field: (numerator field, denominator field, scale)}
    _rates = {}

    @api.model
    def _facts_sql(self, sources):
        """UNION ALL of fact sources [(FROM clause, {column: SQL expression})]."""
        selects = []
        for source, values in sources:
            unknown = set(values) - set(self._fact_columns)
            if unknown:
                raise ValueError(f"{self._name}: no fact column {sorted(unknown)}")
            columns = SQL(", ").join(
                SQL("%s AS %s", _sql(values.get(name, default)), SQL.identifier(name))
                for name, default in self._fact_columns.items()
            )
            selects.append(SQL("SELECT %s FROM %s", columns, _sql(source)))
        return SQL(" UNION ALL ").join(selects)

    @api.model
    def _rate_columns_sql(self):
        """The rate columns of the query: computed by ``_read_group``, empty on rows."""
        return SQL(", ").join(
            SQL("NULL::float AS %s", SQL.identifier(name)) for name in self._rates
        )

    def _read_group_select(self, aggregate_spec, query):
        name = aggregate_spec.split(":")[0]
        if name not in self._rates:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator, scale = self._rates[name]
        return SQL(
            "SUM(%s) * %s / NULLIF(SUM(%s), 0)",
            self._field_to_sql(self._table, numerator, query),
            scale,
            self._field_to_sql(self._table, denominator, query),
        )


def _sql(value):
    return value if isinstance(value, SQL) else SQL(value)
