import random

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

# Monthly budget range per channel type; trade shows cost twice a year (spring, autumn fairs).
MONTHLY_COST = {
    "online_ads": (30000, 60000),
    "search_engine": (20000, 40000),
    "social_media": (15000, 30000),
    "email_marketing": (2000, 5000),
    "partner_referral": (5000, 10000),
    "telemarketing": (10000, 20000),
    "offline_store": (22000, 28000),
}


class CustomerInsightDemo(models.AbstractModel):
    _inherit = "customer.insight.demo"

    @api.model
    def _generate_channel_costs(self, months=36, seed=20240101):
        """Monthly costs of the default channels over the last ``months`` months."""
        rng = random.Random(seed)
        first = fields.Date.today().replace(day=1)
        values = []
        channels = self.env["customer.channel"].search([("channel_type", "!=", "other")])
        for offset in range(months):
            month = first - relativedelta(months=offset)
            for channel in channels:
                if channel.channel_type == "trade_show":
                    if month.month in (4, 10):
                        values.append((channel, month, rng.randint(70000, 90000), "Canton Fair"))
                    continue
                low, high = MONTHLY_COST.get(channel.channel_type, (1000, 3000))
                values.append((channel, month, rng.randint(low, high), month.strftime("%Y-%m")))
        return self.env["customer.channel.cost"].create(
            [
                {"channel_id": channel.id, "date": day, "amount": amount, "note": note}
                for channel, day, amount, note in values
            ]
        )
