def post_init_hook(env):
    """The first classification is left to the scheduled job, started now, so that
    installing on a large database stays quick."""
    env.ref("customer_segmentation.ir_cron_recompute_customer_segmentation")._trigger()
