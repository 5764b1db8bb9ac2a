def post_init_hook(env):
    """Backfill the acquisition and attribution of every company's existing customers with
    the scheduled job, started now: on a large database it takes many transactions."""
    env.ref("channel_attribution.ir_cron_recompute_attribution")._trigger()
