from odoo import SUPERUSER_ID, api, fields


def migrate(cr, version):
    """The predictions now keep the models' inputs: refresh them all once, as of the
    company's last classification."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    engine = env["customer.clv.engine"]
    for company in env["res.company"].search([]):
        model = env["customer.clv.model"]._latest(company)
        if model:
            engine._refresh_predictions(
                model, company.customer_segmentation_as_of or fields.Date.today()
            )
            engine._copy_classes(company)
