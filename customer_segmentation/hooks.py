def post_init_hook(env):
    """Give every company the default segment preset; the first classification is left to
    the scheduled job, started now, so that installing on a large database stays quick."""
    preset = env.ref("customer_segmentation.rfm_preset_international")
    companies = env["res.company"].search([])
    companies.filtered(lambda c: not c.rfm_segment_preset_id).rfm_segment_preset_id = preset
    env.ref("customer_segmentation.ir_cron_recompute_customer_segmentation")._trigger()
