from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The channel analysis now reads daily leads and new customers: build them."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    engine = env["customer.channel.engine"]
    for company in env["res.company"].search([]):
        engine.with_company(company)._recompute_funnel()
