def migrate(cr, version):
    """The index on the profiles' company repeats the head of (company_id, lifecycle_stage):
    every profile written paid for it. Odoo keeps an index a field no longer asks for."""
    cr.execute("DROP INDEX IF EXISTS customer_profile__company_id_index")
