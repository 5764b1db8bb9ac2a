"""A realistic customer base generated directly in PostgreSQL, seeded: customers (companies
with contacts, and individuals), three years of confirmed orders with heavy-tailed frequency
(35 % buy once, about ten orders per customer on average) and spend (some in a second
currency, some in a second company), and leads and opportunities carrying UTM data over the
channels. A customer's first order carries the UTM of its opportunity, and 3 % of the later
ones that of a campaign, as in a real database."""

from odoo.tools import SQL

SIZES = {
    "tiny": 300,
    "10k": 10_000,
    "100k": 100_000,
    "1m": 1_000_000,
}
ORDERS_PER_CUSTOMER = 10


def populate(env, size, seed=0.42):
    """Create the population for ``size`` customers; return counts of what was created."""
    customers = SIZES[size]
    env.flush_all()
    company = env.company
    company_b = env["res.company"].create({"name": "Bench Company B"})
    currency_b = env.ref("base.CNY" if company.currency_id.name != "CNY" else "base.EUR")
    currency_b.active = True
    users = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": f"Bench Salesperson {index}",
                    "login": f"bench.sales.{index}@example.com",
                    "group_ids": [(6, 0, [env.ref("sales_team.group_sale_salesman").id])],
                    "company_ids": [(6, 0, (company | company_b).ids)],
                }
                for index in range(20)
            ]
        )
    )
    sources = env["utm.source"].create([{"name": f"Bench source {i}"} for i in range(12)])
    mediums = env["utm.medium"].search([], limit=6)
    channels = env["customer.channel"].search([("channel_type", "!=", "other")])
    for index, source in enumerate(sources[:10]):  # two sources stay unmapped
        channels[index % len(channels)].source_ids |= source
    won_stage = env["crm.stage"].search([("is_won", "=", True)], limit=1)
    open_stage = env["crm.stage"].search([("is_won", "=", False)], limit=1)
    env.flush_all()
    cr = env.cr
    cr.execute(SQL("SELECT setseed(%s)", seed))
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_customer AS
            SELECT g AS n, random() < 0.3 AS is_company,
                   CASE WHEN random() < 0.35 THEN 1  -- one-time buyers, then a Pareto tail
                        ELSE LEAST(1000, floor(5 * power(random(), -0.7))) END::int AS orders,
                   (%(users)s::int[])[1 + floor(random() * 20)::int] AS user_id,
                   (%(sources)s::int[])[1 + floor(random() * 12)::int] AS source_id,
                   (%(mediums)s::int[])[1 + floor(random() * %(medium_count)s)::int] AS medium_id,
                   exp(4 + 1.2 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) AS spend,
                   1095 * random() AS first_ago, random() AS last_share,
                   random() < 0.1 AS in_company_b
              FROM generate_series(1, %(customers)s) g;
            -- Orders fall between the first and the last order day of each customer, the
            -- last one anywhere from the first to today: new, active, at-risk, churned mix.

            INSERT INTO res_partner (name, complete_name, active, is_company, type,
                                     autopost_bills, customer_type, user_id, email,
                                     create_date, write_date)
            SELECT 'Bench customer ' || n, 'Bench customer ' || n, TRUE, is_company, 'contact',
                   'ask', CASE WHEN is_company THEN 'sme' ELSE 'individual' END, user_id,
                   'bench' || n || '@example.com', now(), now()
              FROM bench_customer ORDER BY n;
            ALTER TABLE bench_customer ADD COLUMN partner_id int;
            UPDATE bench_customer c SET partner_id = p.id
              FROM res_partner p WHERE p.name = 'Bench customer ' || c.n;
            UPDATE res_partner p SET commercial_partner_id = p.id
              FROM bench_customer c WHERE p.id = c.partner_id;

            INSERT INTO res_partner (name, complete_name, active, is_company, type, parent_id,
                                     commercial_partner_id, autopost_bills, customer_type,
                                     create_date, write_date)
            SELECT 'Bench contact ' || c.n || '-' || k, 'Bench contact ' || c.n || '-' || k,
                   TRUE, FALSE, 'contact', c.partner_id, c.partner_id, 'ask', 'sme', now(), now()
              FROM bench_customer c CROSS JOIN generate_series(1, 2) k
             WHERE c.is_company;
            """,
            customers=customers,
            users=users.ids,
            sources=sources.ids,
            mediums=mediums.ids,
            medium_count=len(mediums),
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order (name, company_id, partner_id, partner_invoice_id,
                                    partner_shipping_id, date_order, state, currency_id,
                                    currency_rate, amount_untaxed, amount_tax, amount_total,
                                    user_id, source_id, medium_id, create_date, write_date)
            SELECT 'BENCH/' || c.n || '/' || j, o.company_id, c.partner_id, c.partner_id,
                   c.partner_id, o.day, 'sale', o.currency_id, o.rate, o.amount, 0, o.amount,
                   c.user_id, CASE WHEN j = 1 OR r.campaign THEN c.source_id END,
                   CASE WHEN j = 1 OR r.campaign THEN c.medium_id END, now(), now()
              FROM bench_customer c
             CROSS JOIN LATERAL generate_series(1, c.orders) j
             -- Drawn for each order: a subquery that does not refer to j would be drawn once
             -- per customer (all of a customer's orders on one day, of one amount).
             CROSS JOIN LATERAL (
                SELECT CASE WHEN c.in_company_b THEN %(company_b)s ELSE %(company)s END
                           AS company_id,
                       j AS order_number,
                       now() AT TIME ZONE 'UTC' - make_interval(days => 1)
                           * (c.first_ago * c.last_share
                              + random() * c.first_ago * (1 - c.last_share)) AS day,
                       random() < 0.05 AS foreign_currency,
                       random() < 0.03 AS campaign,
                       ROUND((c.spend * (0.5 + random()))::numeric, 2) AS amount
             ) r
             CROSS JOIN LATERAL (
                SELECT r.company_id, r.day, r.amount,
                       CASE WHEN r.foreign_currency THEN %(currency_b)s ELSE %(currency)s END
                           AS currency_id,
                       CASE WHEN r.foreign_currency THEN 7.1 ELSE 1 END AS rate
             ) o;

            INSERT INTO crm_lead (name, type, partner_id, company_id, user_id, source_id,
                                  medium_id, stage_id, active, probability, won_status,
                                  create_date, write_date)
            SELECT 'Bench opportunity ' || c.n, 'opportunity', c.partner_id, %(company)s,
                   c.user_id, c.source_id, c.medium_id,
                   CASE WHEN random() < 0.8 THEN %(won)s ELSE %(open)s END, TRUE, 100, 'won',
                   now() AT TIME ZONE 'UTC'
                       - make_interval(days => 1) * (c.first_ago + 60 * random()), now()
              FROM bench_customer c;
            UPDATE crm_lead SET probability = 10, won_status = 'pending'
             WHERE stage_id = %(open)s AND name LIKE 'Bench opportunity %%';

            INSERT INTO crm_lead (name, type, company_id, source_id, medium_id, active,
                                  probability, won_status, create_date, write_date)
            SELECT 'Bench lead ' || g, 'lead', %(company)s,
                   (%(sources)s::int[])[1 + floor(random() * 12)::int],
                   (%(mediums)s::int[])[1 + floor(random() * %(medium_count)s)::int],
                   random() < 0.6, 0, CASE WHEN random() < 0.6 THEN 'pending' ELSE 'lost' END,
                   now() AT TIME ZONE 'UTC' - random() * interval '1095 days', now()
              FROM generate_series(1, %(leads)s) g;
            DROP TABLE bench_customer;
            ANALYZE res_partner;
            ANALYZE sale_order;
            ANALYZE crm_lead;
            """,
            company=company.id,
            company_b=company_b.id,
            currency=company.currency_id.id,
            currency_b=currency_b.id,
            won=won_stage.id,
            open=open_stage.id,
            sources=sources.ids,
            mediums=mediums.ids,
            medium_count=len(mediums),
            leads=customers // 2,
        )
    )
    env.invalidate_all()
    cr.execute(SQL("SELECT COUNT(*) FROM sale_order WHERE name LIKE 'BENCH/%%'"))
    orders = cr.fetchone()[0]
    return {"customers": customers, "orders": orders, "company_b": company_b.id}
