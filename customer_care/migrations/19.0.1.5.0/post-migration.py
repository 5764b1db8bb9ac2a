def migrate(cr, version):
    """The index on the care actions' rule repeats the head of (rule_id, partner_id, date):
    every action claimed paid for it. Odoo keeps an index a field no longer asks for."""
    cr.execute("DROP INDEX IF EXISTS customer_care_log__rule_id_index")
