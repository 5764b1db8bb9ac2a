from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The predictions now keep their customer's class: copy it from the classification."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    engine = env["customer.clv.engine"]
    for company in env["res.company"].search([]):
        engine._copy_classes(company)
