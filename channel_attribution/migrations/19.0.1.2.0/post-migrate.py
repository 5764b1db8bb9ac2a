def migrate(cr, version):
    """Attribution rows are indexed by date alone (see customer.channel.attribution); the
    channel reports read the revenue per day, channel and model: build it."""
    cr.execute("DROP INDEX IF EXISTS customer_channel_attribution_company_date_idx")
    cr.execute(
        """
        INSERT INTO customer_channel_revenue_daily (
            company_id, date, channel_id, attribution_model, amount)
        SELECT company_id, date, channel_id, attribution_model, SUM(amount)
          FROM customer_channel_revenue
         GROUP BY company_id, date, channel_id, attribution_model
        HAVING SUM(amount) <> 0
        """
    )
