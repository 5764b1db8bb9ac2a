def post_init_hook(env):
    """Backfill the acquisition and attribution of every company's existing customers."""
    for company in env["res.company"].search([]):
        env["customer.channel.engine"].with_company(company).recompute()
