"""Deterministic generator of a realistic customer base, used by the demo data, the browser
tests and the screenshots: customers of every type over Chinese provinces and a few other
countries, three years of seasonal orders with a long tail of spend, and leads and
opportunities (won, lost, open) carrying UTM sources of every channel type."""

import random
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

CITIES = [
    ("state_cn_SH", "上海"),
    ("state_cn_BJ", "北京"),
    ("state_cn_GD", "深圳"),
    ("state_cn_GD", "广州"),
    ("state_cn_ZJ", "杭州"),
    ("state_cn_ZJ", "宁波"),
    ("state_cn_JS", "南京"),
    ("state_cn_JS", "苏州"),
    ("state_cn_SC", "成都"),
    ("state_cn_HB", "武汉"),
    ("state_cn_SD", "青岛"),
    ("state_cn_FJ", "厦门"),
    ("state_cn_SN", "西安"),
    ("state_cn_CQ", "重庆"),
    ("state_cn_TJ", "天津"),
    ("state_cn_HN", "长沙"),
    ("state_cn_LN", "大连"),
    ("state_cn_YN", "昆明"),
]
FOREIGN = [
    ("base.us", "San Francisco", "Inc."),
    ("base.de", "Hamburg", "GmbH"),
    ("base.jp", "Osaka", "K.K."),
    ("base.sg", "Singapore", "Pte. Ltd."),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯鹏飞鑫博文"
WORDS = "华瑞恒通达信诚安泰宏鑫盛远创新百联中海金辉天正和嘉"
INDUSTRIES = ["科技", "贸易", "制造", "物流", "电子", "医药", "食品", "建材", "环保", "网络"]
FOREIGN_NAMES = ["Northwind", "Bluepeak", "Harbor", "Evergreen", "Summit", "Orion", "Atlas"]
GOVERNMENT = ["市卫生健康委员会", "区教育局", "市交通运输局", "市政务服务中心", "区人民医院"]
NON_PROFIT = ["慈善基金会", "青少年发展基金会", "环保协会", "红十字会", "志愿者协会"]
PRODUCTS = [
    ("Smart sensor kit", 480.0),
    ("Industrial router", 2600.0),
    ("Cloud monitoring (annual)", 9800.0),
    ("On-site installation", 1500.0),
    ("Maintenance contract", 12000.0),
    ("Training day", 3200.0),
    ("Spare parts pack", 260.0),
    ("Enterprise platform licence", 68000.0),
]
# (UTM source, UTM medium, weight) by name, found or created: every channel type is present.
ACQUISITION = [
    ("Baidu Search", "Website", 14),
    ("Baidu Promotion (ads)", "Banner", 10),
    ("WeChat Official Account", "Social", 12),
    ("Douyin", "Social", 8),
    ("Newsletter", "Email", 8),
    ("Referral", "Direct", 12),
    ("Canton Fair", "Direct", 9),
    ("Outbound call list", "Phone", 9),
    ("Shanghai flagship store", "Direct", 6),
    ("LinkedIn", "LinkedIn", 4),
    ("Industry forum", "Forum", 3),
]
CAMPAIGNS = ["Spring Promotion", "Double 11", "Trade Show Season"]
# Share of customers and their story: (stage they should end up in, share).
ARCHETYPES = [
    ("loyal", 0.40),
    ("new", 0.10),
    ("at_risk", 0.12),
    ("churned", 0.20),
    ("potential", 0.10),
    ("prospect_lost", 0.08),
]
TYPES = [
    ("individual", 0.34),
    ("sme", 0.36),
    ("large", 0.12),
    ("multinational", 0.05),
    ("government", 0.07),
    ("non_profit", 0.06),
]
TYPE_SPEND = {
    "individual": 0.3,
    "sme": 1.0,
    "large": 3.0,
    "multinational": 4.0,
    "government": 2.0,
    "non_profit": 0.6,
}
# Seasonality of orders per month: Double 11 and year-end peaks, Spring Festival dip.
MONTH_WEIGHT = [1.1, 0.6, 0.9, 1.0, 1.0, 1.1, 0.9, 0.9, 1.0, 1.1, 1.5, 1.4]


class CustomerInsightDemo(models.AbstractModel):
    _name = "customer.insight.demo"
    _description = "Customer Insight Demo Data Generator"

    @api.model
    def _generate(self, size=420, seed=20240101, today=None):
        """Create ``size`` customers with their history for ``env.company``; same seed and
        day, same data. Returns the created commercial partners."""
        rng = random.Random(seed)
        today = fields.Date.to_date(today) or fields.Date.today()
        users = self._demo_salespeople()
        products = self.env["product.product"].create(
            [{"name": name, "list_price": price, "type": "service"} for name, price in PRODUCTS]
        )
        foreign_pricelist = self._demo_foreign_pricelist()
        sources = [
            (self._utm("utm.source", source), self._utm("utm.medium", medium), weight)
            for source, medium, weight in ACQUISITION
        ]
        campaigns = [self._utm("utm.campaign", name) for name in CAMPAIGNS]
        stages = self.env["crm.stage"].search([], order="sequence")
        won_stage = stages.filtered("is_won")[:1]
        open_stages = stages - won_stage
        lost_reasons = self.env["crm.lost.reason"].search([])

        partners = self.env["res.partner"]
        orders, leads, lead_dates, referred = [], [], [], []
        for index in range(size):
            archetype = self._pick(rng, ARCHETYPES)
            customer_type = self._pick(rng, TYPES)
            partner = self._demo_partner(rng, index, customer_type, users)
            partners |= partner
            source, medium, _weight = rng.choices(sources, weights=[s[2] for s in sources])[0]
            campaign = rng.choice(campaigns) if rng.random() < 0.5 else self.env["utm.campaign"]
            order_dates = self._order_dates(rng, archetype, today)
            if source.name == "Referral" and order_dates:
                referred.append((partner, order_dates[0]))
            spend = TYPE_SPEND[customer_type] * rng.paretovariate(1.6)
            pricelist = foreign_pricelist if partner.country_id.code != "CN" else None
            # Prospects lost over the three years; the open pipeline is recent.
            days = 60 if archetype == "potential" else 1000
            first = order_dates[0] if order_dates else today - timedelta(days=rng.randint(5, days))
            opened = first - timedelta(days=rng.randint(7, 45))
            utm = {"source_id": source.id, "medium_id": medium.id, "campaign_id": campaign.id}
            lead_vals = {
                "name": f"{partner.name} - {rng.choice(products).name}",
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": partner.user_id.id,
                "expected_revenue": round(rng.lognormvariate(9, 1)),
                **utm,
            }
            if archetype == "prospect_lost":
                lead_vals.update(stage_id=rng.choice(open_stages).id, active=False, probability=0)
                lead_vals["lost_reason_id"] = rng.choice(lost_reasons).id if lost_reasons else False
                leads.append(lead_vals)
                lead_dates.append((opened, opened + timedelta(days=rng.randint(10, 60))))
                continue
            if archetype == "potential":
                lead_vals["stage_id"] = rng.choice(open_stages).id
                leads.append(lead_vals)
                lead_dates.append((today - timedelta(days=rng.randint(3, 40)), None))
                quoted = rng.random()
                if quoted < 0.4:  # half of the quotations sent: purchase intent
                    orders.append(
                        self._order_vals(rng, partner, products, spend, pricelist, today, utm)
                        | {"_confirm": False, "state": "sent" if quoted < 0.2 else "draft"}
                    )
                continue
            lead_vals.update(stage_id=won_stage.id, probability=100)
            leads.append(lead_vals)
            lead_dates.append((opened, first))
            for position, day in enumerate(order_dates):
                order_utm = utm if position == 0 or rng.random() < 0.2 else {}
                orders.append(
                    self._order_vals(rng, partner, products, spend, pricelist, day, order_utm)
                    | {"_confirm": True}
                )
        self._demo_unconverted_leads(random.Random(seed + 2), sources, today)
        self._create_leads(leads, lead_dates)
        confirmed = self._create_orders(orders)
        self._demo_referrals(random.Random(seed + 3), referred, confirmed)
        self._demo_invoices(random.Random(seed + 1), confirmed, today)
        return partners

    # ------------------------------------------------------------------ pieces

    def _utm(self, model, name):
        records = self.env[model].with_context(active_test=False)
        return records.search([("name", "=", name)], limit=1) or records.create({"name": name})

    @staticmethod
    def _pick(rng, weighted):
        return rng.choices([k for k, _w in weighted], weights=[w for _k, w in weighted])[0]

    def _demo_salespeople(self):
        names = [
            ("王伟", "wang.wei"),
            ("李娜", "li.na"),
            ("张强", "zhang.qiang"),
            ("刘芳", "liu.fang"),
        ]
        group = self.env.ref("sales_team.group_sale_salesman_all_leads")
        Users = self.env["res.users"].with_context(no_reset_password=True)
        users = Users.search([("login", "in", [f"{login}@example.com" for _n, login in names])])
        missing = [
            {
                "name": name,
                "login": f"{login}@example.com",
                "email": f"{login}@example.com",
                "group_ids": [(6, 0, [group.id, self.env.ref("base.group_user").id])],
            }
            for name, login in names
            if f"{login}@example.com" not in users.mapped("login")
        ]
        return users | Users.create(missing)

    def _demo_foreign_pricelist(self):
        """A pricelist in a second currency, so that some orders need conversion."""
        company_currency = self.env.company.currency_id
        currency = self.env.ref("base.USD" if company_currency.name != "USD" else "base.EUR")
        currency.active = True
        if not currency.rate_ids.filtered(lambda r: r.company_id == self.env.company):
            rate = 0.14 if company_currency.name == "CNY" else 0.92
            self.env["res.currency.rate"].create(
                {
                    "currency_id": currency.id,
                    "rate": rate,
                    "name": "2020-01-01",
                    "company_id": self.env.company.id,
                }
            )
        return self.env["product.pricelist"].create(
            {"name": f"Export ({currency.name})", "currency_id": currency.id}
        )

    def _demo_partner(self, rng, index, customer_type, users):
        foreign = rng.random() < 0.08
        if foreign:
            country_xmlid, city, suffix = rng.choice(FOREIGN)
            country = self.env.ref(country_xmlid)
            state = self.env["res.country.state"]
        else:
            state_xmlid, city = rng.choice(CITIES)
            state = self.env.ref(f"base.{state_xmlid}")
            country = state.country_id
        if customer_type == "individual":
            name = (
                f"{rng.choice(FOREIGN_NAMES)} {rng.choice('ABCDEFGHJKLMN')}."
                if foreign
                else rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
            )
        elif foreign:
            name = (
                f"{rng.choice(FOREIGN_NAMES)} {rng.choice(['Systems', 'Trading', 'Labs'])} {suffix}"
            )
        elif customer_type == "government":
            name = city + rng.choice(GOVERNMENT)
        elif customer_type == "non_profit":
            name = city + rng.choice(NON_PROFIT)
        else:
            words = "".join(rng.sample(WORDS, 2))
            kind = "集团股份有限公司" if customer_type in ("large", "multinational") else "有限公司"
            name = f"{city}{words}{rng.choice(INDUSTRIES)}{kind}"
        slug = f"customer{index:04d}"
        values = {
            "name": name,
            "is_company": customer_type != "individual",
            "customer_type": customer_type,
            "city": city,
            "state_id": state.id,
            "country_id": country.id,
            "email": f"{slug}@example.com" if rng.random() < 0.85 else False,
            "phone": f"+86 21 {rng.randint(5000_0000, 9999_9999)}" if rng.random() < 0.8 else False,
            "user_id": rng.choice(users).id if rng.random() < 0.9 else False,
            "customer_rank": 1,  # as when created from a sale order: listed under Customers
        }
        partner = self.env["res.partner"].create(values)
        if partner.is_company and rng.random() < 0.5:
            self.env["res.partner"].create(
                {
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "parent_id": partner.id,
                    "function": rng.choice(["采购经理", "总经理", "IT 主管", "Purchasing"]),
                    "email": f"{slug}.buyer@example.com",
                }
            )
        return partner

    def _order_dates(self, rng, archetype, today):
        """Sorted order days telling the archetype's story over the last three years."""
        if archetype in ("potential", "prospect_lost"):
            return []
        if archetype == "new":
            start, end, count = 85, 1, rng.randint(1, 3)
        elif archetype == "at_risk":
            start, end, count = 900, 366, max(0, int(rng.paretovariate(1.3)) - 1)
        elif archetype == "churned":
            start, end, count = 1090, 380, max(1, int(rng.paretovariate(1.5)))
        else:
            start, end, count = 1090, 1, min(60, 1 + int(rng.paretovariate(1.1) * 2))
        days = set()
        while len(days) < min(count, start - end):
            day = today - timedelta(days=rng.randint(end, start))
            if rng.random() * 1.5 < MONTH_WEIGHT[day.month - 1]:
                days.add(day)
        # The last order decides the stage: recent for loyal customers, 6 to 12 months ago
        # for those at risk.
        if archetype == "loyal":
            days.add(today - timedelta(days=rng.randint(1, 120)))
        elif archetype == "at_risk":
            days = {day for day in days if (today - day).days > 365} | {
                today - timedelta(days=rng.randint(190, 355))
            }
        return sorted(days)

    def _order_vals(self, rng, partner, products, spend, pricelist, day, utm):
        lines = []
        for product in rng.sample(products, rng.randint(1, 3)):
            quantity = max(1, round(rng.lognormvariate(0.3, 0.8) * spend))
            lines.append((0, 0, {"product_id": product.id, "product_uom_qty": quantity}))
        values = {
            "partner_id": partner.id,
            "user_id": partner.user_id.id,
            "order_line": lines,
            "_date": datetime.combine(day, time(rng.randint(1, 9), rng.randint(0, 59))),
            **utm,
        }
        if pricelist:
            values["pricelist_id"] = pricelist.id
        return values

    def _demo_unconverted_leads(self, rng, sources, today):
        """Leads that never became customers, about twenty a month over three years: most
        lost (with a reason), the older ones still open gone stale, half of the last two
        months' still open; so each month's conversion rate is well below 100 %."""
        lost_reasons = self.env["crm.lost.reason"].search([])
        leads, dates = [], []
        for index in range(760):
            source, medium, _weight = rng.choices(sources, weights=[s[2] for s in sources])[0]
            opened = today - timedelta(days=rng.randint(0, 1130))
            lost = rng.random() < (0.5 if (today - opened).days <= 60 else 0.85)
            values = {
                "name": f"Enquiry #{index + 1:04d}",
                "type": "lead" if rng.random() < 0.6 else "opportunity",
                "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "email_from": f"lead{index:04d}@example.com",
                "source_id": source.id,
                "medium_id": medium.id,
            }
            if lost:
                values.update(active=False, probability=0)
                values["lost_reason_id"] = rng.choice(lost_reasons).id if lost_reasons else False
            leads.append(values)
            dates.append((opened, opened + timedelta(days=rng.randint(3, 40)) if lost else None))
        self._create_leads(leads, dates)

    def _create_leads(self, leads, lead_dates):
        records = self.env["crm.lead"].create(leads)
        self._backdate(
            "crm_lead",
            [
                (lead.id, opened, closed)
                for lead, (opened, closed) in zip(records, lead_dates, strict=True)
            ],
            "create_date",
            "date_closed",
        )

    def _create_orders(self, orders):
        dates = [values.pop("_date") for values in orders]
        confirm = [values.pop("_confirm") for values in orders]
        records = self.env["sale.order"].create(orders)
        to_confirm = records.browse(
            [order.id for order, flag in zip(records, confirm, strict=True) if flag]
        )
        to_confirm.action_confirm()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE sale_order so SET date_order = v.day, create_date = v.day
                  FROM unnest(%s::int[], %s::timestamp[]) AS v(id, day)
                 WHERE so.id = v.id
                """,
                records.ids,
                dates,
            )
        )
        self.env.invalidate_all()
        return to_confirm

    def _demo_referrals(self, rng, referred, orders):
        """Four in five customers who came through referral were referred by a customer
        who had ordered before them; the others by word of mouth nobody recorded."""
        first_orders = {}
        for order in orders:
            partner, day = order.partner_id.commercial_partner_id, order.date_order.date()
            first_orders[partner] = min(day, first_orders.get(partner, day))
        for partner, first in referred:
            earlier = sorted(
                (other for other, day in first_orders.items() if day < first and other != partner),
                key=lambda other: other.id,
            )
            if earlier and rng.random() < 0.8:
                partner.customer_referrer_id = rng.choice(earlier)

    def _demo_invoices(self, rng, orders, today):
        """Invoice the orders of the last eighteen months, due in 30 days, and pay them as
        each customer's habit says: most on time, some late, a few not at all."""
        orders = orders.filtered(lambda o: (today - o.date_order.date()).days <= 540)
        habits = {  # customer: (range of days to pay, share of invoices left unpaid)
            partner: rng.choices(
                [((0, 20), 0.0), ((10, 45), 0.02), ((25, 90), 0.1), ((60, 150), 0.5)],
                weights=[55, 25, 14, 6],
            )[0]
            for partner in orders.partner_id.commercial_partner_id
        }
        invoices = orders._create_invoices(grouped=True)
        term = self.env.ref("account.account_payment_term_30days")
        for order in orders:
            order.invoice_ids.write(
                {"invoice_date": order.date_order.date(), "invoice_payment_term_id": term.id}
            )
        invoices.action_post()
        payments = []
        for invoice in invoices:
            (low, high), unpaid = habits[invoice.commercial_partner_id]
            paid_on = invoice.invoice_date + timedelta(days=rng.randint(low, high))
            if rng.random() < unpaid or paid_on > today:
                continue
            payments.append(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": invoice.partner_id.id,
                    "amount": invoice.amount_total,
                    "currency_id": invoice.currency_id.id,
                    "date": paid_on,
                    "memo": invoice.name,
                    "invoice_ids": [(6, 0, invoice.ids)],
                }
            )
        payments = self.env["account.payment"].create(payments)
        payments.action_post()
        for payment in payments.filtered("move_id"):  # posted to an outstanding account
            lines = payment.move_id.line_ids | payment.invoice_ids.line_ids
            lines.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            ).reconcile()

    def _backdate(self, table, rows, open_column, close_column):
        self.env.flush_all()
        ids, opened, closed = zip(*rows, strict=True) if rows else ((), (), ())
        self.env.cr.execute(
            SQL(
                """
                UPDATE %(table)s t SET %(open)s = v.opened, %(close)s = v.closed
                  FROM unnest(%(ids)s::int[], %(opened)s::timestamp[], %(closed)s::timestamp[])
                       AS v(id, opened, closed)
                 WHERE t.id = v.id
                """,
                table=SQL.identifier(table),
                open=SQL.identifier(open_column),
                close=SQL.identifier(close_column),
                ids=list(ids),
                opened=[datetime.combine(d, time(9)) for d in opened],
                closed=[datetime.combine(d, time(17)) if d else None for d in closed],
            )
        )
        self.env.invalidate_all()
