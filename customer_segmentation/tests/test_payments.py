import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from odoo.tests import tagged

from .common import SegmentationCase

PAID = ("paid", "in_payment")


def percentile(values, share):
    """Continuous percentile, as PostgreSQL's percentile_cont."""
    values = sorted(values)
    position = (len(values) - 1) * share
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def rounded(numerator, denominator=1):
    """numerator ÷ denominator to one decimal, halves away from zero as PostgreSQL does."""
    value = Decimal(str(numerator)) / Decimal(denominator)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@tagged("post_install", "-at_install")
class TestPaymentBehaviour(SegmentationCase):
    """The payment figures and class of each customer equal a computation from the ORM's
    invoices, payments and reconciliations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "customer_payment_prompt_days": 15,
                "customer_payment_late_rate": 30.0,
                "customer_payment_risky_days": 60,
            }
        )

    def invoice(self, partner, day, amount, due=None, move_type="out_invoice"):
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": day,
                "invoice_date_due": due or day,
                "invoice_line_ids": [
                    (0, 0, {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        return move

    def pay(self, invoices, day, amount=None):
        values = {"payment_date": day}
        if amount is not None:
            values["amount"] = amount
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(values)
        )
        return wizard._create_payments()

    def expected(self, partner, as_of):
        """The payment figures of ``partner`` computed from the ORM, independently."""
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.id),
                ("company_id", "=", self.company.id),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("invoice_date", "<=", as_of),
            ]
        )
        if not invoices.filtered(lambda move: move.move_type == "out_invoice"):
            return None
        days, late = [], 0
        for invoice in invoices.filtered(
            lambda move: move.move_type == "out_invoice" and move.payment_state in PAID
        ):
            receivable = invoice.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            )
            dates = receivable.matched_credit_ids.credit_move_id.mapped("date")
            dates += invoice.matched_payment_ids.filtered(
                lambda pay: not pay.move_id and pay.state in ("in_process", "paid")
            ).mapped("date")
            paid_on = max(dates)
            days.append(max((paid_on - invoice.invoice_date).days, 0))
            late += paid_on > invoice.invoice_date_due
        open_moves = invoices.filtered(lambda move: move.payment_state in ("not_paid", "partial"))
        overdue = open_moves.filtered(
            lambda move: move.move_type == "out_invoice" and move.invoice_date_due < as_of
        )
        figures = {
            "paid_invoice_count": len(days),
            "avg_days_to_pay": rounded(sum(days), len(days)) if days else 0.0,
            "p90_days_to_pay": rounded(percentile(days, 0.9)) if days else 0.0,
            "late_payment_rate": rounded(100 * late, len(days)) if days else 0.0,
            "overdue_amount": sum(overdue.mapped("amount_residual_signed")),
            "overdue_count": len(overdue),
            "open_receivable": sum(open_moves.mapped("amount_residual_signed")),
        }
        oldest = min(overdue.mapped("invoice_date_due"), default=None)
        if oldest and (as_of - oldest).days > 60:
            figures["payment_class"] = "risky"
        elif overdue or (days and figures["late_payment_rate"] >= 30):
            figures["payment_class"] = "late"
        elif days and figures["avg_days_to_pay"] <= 15:
            figures["payment_class"] = "prompt"
        else:
            figures["payment_class"] = "normal"
        return figures

    def assert_figures(self, partner, as_of=None):
        as_of = as_of or self.AS_OF
        expected = self.expected(partner, as_of)
        profile = self.profile(partner)
        self.assertTrue(profile, partner.name)
        if expected is None:
            self.assertFalse(profile.payment_class, partner.name)
            self.assertFalse(profile.paid_invoice_count, partner.name)
            return
        for name, value in expected.items():
            if isinstance(value, float):
                self.assertAlmostEqual(profile[name], value, places=2, msg=f"{partner.name} {name}")
            else:
                self.assertEqual(profile[name], value, f"{partner.name} {name}")

    def test_edge_cases(self):
        prompt, late, advance, reversed_, orders_only, risky = (
            self.customer(name)
            for name in ("Prompt", "Late", "Advance", "Reversed", "Orders only", "Risky")
        )
        for partner in (prompt, late, advance, reversed_, orders_only, risky):
            self.order(partner, date(2025, 1, 5), 100)
        # Prompt: one invoice paid in 5 days, before its due date.
        invoice = self.invoice(prompt, date(2025, 2, 1), 500, due=date(2025, 3, 3))
        self.pay(invoice, date(2025, 2, 6))
        # Late: paid in two parts, the last after the due date; another one unpaid, overdue.
        invoice = self.invoice(late, date(2025, 3, 1), 100, due=date(2025, 3, 31))
        self.pay(invoice, date(2025, 3, 15), amount=40)
        self.assertEqual(invoice.payment_state, "partial")
        self.pay(invoice, date(2025, 4, 20), amount=60)
        self.invoice(late, date(2025, 5, 1), 250, due=date(2025, 5, 31))
        # Advance: paid before the invoice date (0 days); an open invoice not due yet and an
        # open credit note lower the open receivable.
        payment = self.pay(self.invoice(advance, date(2025, 4, 10), 80), date(2025, 4, 10))
        payment.date = date(2025, 4, 1)
        self.invoice(advance, date(2025, 6, 20), 300, due=date(2025, 7, 20))
        self.invoice(advance, date(2025, 6, 25), 50, move_type="out_refund")
        # Reversed: an invoice cancelled by its credit note is not a payment.
        invoice = self.invoice(reversed_, date(2025, 2, 1), 70)
        reversal = invoice._reverse_moves([{"invoice_date": date(2025, 2, 10)}], cancel=True)
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertTrue(reversal)
        # Risky: overdue by 90 days.
        self.invoice(risky, date(2025, 3, 1), 1000, due=date(2025, 4, 1))
        self.run_engine()
        for partner in (prompt, late, advance, reversed_, orders_only, risky):
            self.assert_figures(partner)
        self.assertEqual(
            [
                self.profile(partner).payment_class
                for partner in (prompt, late, advance, reversed_, orders_only, risky)
            ],
            ["prompt", "late", "prompt", "normal", False, "risky"],
        )
        self.assertEqual(self.profile(late).avg_days_to_pay, 50)
        self.assertEqual(self.profile(late).overdue_amount, 250)
        self.assertEqual(self.profile(advance).open_receivable, 250)
        self.assertEqual(self.profile(advance).avg_days_to_pay, 0)
        # The partner fields show the current company's figures.
        self.assertEqual(late.customer_payment_class, "late")
        self.assertEqual(late.customer_overdue_count, 1)

    def test_generated_population_and_the_next_days(self):
        """Payments without journal entries (Odoo's default without an outstanding account)."""
        self.check_generated_population(13)

    def test_generated_population_with_reconciled_payments(self):
        """Payments posted to an outstanding account and reconciled with the invoices."""
        outstanding = self.env["account.account"].create(
            {"name": "Outstanding Receipts", "code": "101999", "account_type": "asset_current"}
        )
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id)], limit=1
        )
        journal.inbound_payment_method_line_ids.payment_account_id = outstanding
        payment = self.pay(
            self.invoice(self.customer("Check"), date(2025, 1, 1), 10), date(2025, 1, 2)
        )
        self.assertTrue(payment.move_id, "the payment has a journal entry")
        self.check_generated_population(14)

    def check_generated_population(self, seed):
        """Random invoices, partial and full payments, credit notes: the engine equals the
        ORM, then again after payments and due dates passing on an incremental run."""
        rng = random.Random(seed)
        partners = [self.customer(f"Payer {n}") for n in range(12)]
        self.orders([(partner, date(2025, 1, 2), 100) for partner in partners])
        start = date(2024, 7, 1)
        open_invoices = []
        for partner in partners[1:]:  # the first one has no invoice
            for _n in range(rng.randint(1, 5)):
                day = start + timedelta(days=rng.randint(0, 330))
                due = day + timedelta(days=rng.choice((0, 15, 30, 45)))
                invoice = self.invoice(partner, day, rng.choice((100, 250, 1000)), due=due)
                roll = rng.random()
                if roll < 0.5:
                    self.pay(invoice, day + timedelta(days=rng.randint(0, 70)))
                elif roll < 0.7:
                    self.pay(invoice, day + timedelta(days=rng.randint(0, 40)), amount=50)
                    open_invoices.append(invoice)
                elif roll < 0.8:
                    self.invoice(partner, day + timedelta(days=5), 30, move_type="out_refund")
                else:
                    open_invoices.append(invoice)
        self.run_engine()
        for partner in partners:
            self.assert_figures(partner)
        # Next run, 40 days later: some open invoices paid, others fall due.
        for invoice in open_invoices[::2]:
            self.pay(invoice, self.AS_OF + timedelta(days=10))
        later = self.AS_OF + timedelta(days=40)
        self.run_engine(as_of=later)
        for partner in partners:
            self.assert_figures(partner, as_of=later)
        self.assertEqual(self.run_engine(as_of=later)["changed"], 0, "a second run writes nothing")

    def test_thresholds_reclassify_without_new_payments(self):
        partner = self.customer("Thirty days")
        self.order(partner, date(2025, 1, 5), 100)
        invoice = self.invoice(partner, date(2025, 3, 1), 100, due=date(2025, 4, 30))
        self.pay(invoice, date(2025, 3, 31))
        self.run_engine()
        self.assertEqual(self.profile(partner).payment_class, "normal")
        self.company.customer_payment_prompt_days = 30
        self.run_engine()
        self.assertEqual(self.profile(partner).payment_class, "prompt")
