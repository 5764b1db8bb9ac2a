from datetime import date, datetime, time
from unittest.mock import patch

from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL

from odoo.addons.base.models import ir_cron


def create_insight_users(env):
    """Users for access tests: manager, user, sales rep without Customer Insight, plain."""
    return {
        "manager": new_test_user(
            env,
            "ci_manager",
            groups="sales_team.group_sale_salesman_all_leads,"
            "customer_segmentation.group_customer_insight_manager",
        ),
        "user": new_test_user(
            env,
            "ci_user",
            groups="sales_team.group_sale_salesman_all_leads,"
            "customer_segmentation.group_customer_insight_user",
        ),
        "rep": new_test_user(env, "ci_rep", groups="sales_team.group_sale_salesman"),
        "plain": new_test_user(env, "ci_plain", groups="base.group_user"),
    }


def run_cron_until_done(case, xmlid, max_calls=500):
    """Run a scheduled action the way Odoo's cron runner does (``method_direct_trigger``,
    i.e. ``ir.cron._process_job`` on a new cursor), again while it reports work left, with
    an expired time slice so that each call of the server action does one step. Fails when
    the job fails; returns how many times the server action was called."""
    cron = case.env.ref(xmlid).sudo()
    progress = case.env["ir.cron.progress"].sudo()
    triggers = case.env["ir.cron.trigger"].sudo()
    before = progress.search_count([("cron_id", "=", cron.id)])
    # Triggers set during the test are dated after the test transaction's now(), which
    # Odoo's runner never clears: only the runner's own "call again" triggers count here.
    triggers.search([("cron_id", "=", cron.id)]).unlink()
    with patch.object(ir_cron, "MIN_TIME_PER_JOB", 0), case.enter_registry_test_mode():
        while True:
            case.assertIs(cron.method_direct_trigger(), True, f"{xmlid} failed")
            calls = progress.search_count([("cron_id", "=", cron.id)]) - before
            if not triggers.search_count([("cron_id", "=", cron.id)]):
                break
            case.assertLess(calls, max_calls, f"{xmlid} does not finish")
    case.assertFalse(cron.failure_count, f"{xmlid} reported a failure")
    case.env.invalidate_all()
    return calls


class MenusTourMixin:
    """For an HttpCase: every menu of ``addon`` opens its view, without JavaScript error,
    for a manager and for a user (tours ``<addon>_menus_manager`` and ``_menus_user``)."""

    addon = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        create_insight_users(cls.env)

    def test_menus_manager(self):
        self.start_tour("/odoo", f"{self.addon}_menus_manager", login="admin")

    def test_menus_user(self):
        self.start_tour("/odoo", f"{self.addon}_menus_user", login="ci_user")


class SegmentationCase(TransactionCase):
    """A company with default classification settings and helpers to create orders."""

    AS_OF = date(2025, 6, 30)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "rfm_window_days": 730,
                "customer_new_days": 90,
                "customer_at_risk_days": 180,
                "customer_churn_days": 365,
                "customer_transaction_source": "sale_order",
                "rfm_scoring_method": "quantile",
                "customer_value_tier_method": "m_score",
                "rfm_segment_preset_id": cls.env.ref(
                    "customer_segmentation.rfm_preset_international"
                ).id,
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Widget", "list_price": 1.0, "type": "service", "taxes_id": [(5, 0, 0)]}
        )
        cls.engine = cls.env["customer.segmentation.engine"]

    @classmethod
    def customer(cls, name, **values):
        return cls.env["res.partner"].create({"name": name, "is_company": True, **values})

    @classmethod
    def order(cls, partner, day, amount, confirm=True, **values):
        """A sale order of ``amount`` untaxed, dated ``day`` (a date or datetime, UTC)."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    (
                        0,
                        0,
                        {"product_id": cls.product.id, "product_uom_qty": 1, "price_unit": amount},
                    )
                ],
                **values,
            }
        )
        if confirm:
            order.action_confirm()
        moment = day if isinstance(day, datetime) else datetime.combine(day, time(10))
        order.date_order = moment
        return order

    @classmethod
    def orders(cls, specs):
        """Confirmed orders in bulk: ``specs`` is a list of (partner, day, amount)."""
        records = cls.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": cls.product.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                            },
                        )
                    ],
                }
                for partner, _day, amount in specs
            ]
        )
        records.action_confirm()
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL(
                "UPDATE sale_order so SET date_order = v.day "
                "FROM unnest(%s::int[], %s::timestamp[]) AS v(id, day) WHERE so.id = v.id",
                records.ids,
                [datetime.combine(day, time(10)) for _p, day, _a in specs],
            )
        )
        cls.env.invalidate_all()
        return records

    def run_engine(self, as_of=None, **kwargs):
        return self.engine.run(as_of=as_of or self.AS_OF, **kwargs)

    def profile(self, partner, company=None):
        return self.env["customer.profile"].search(
            [
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", (company or self.company).id),
            ]
        )
