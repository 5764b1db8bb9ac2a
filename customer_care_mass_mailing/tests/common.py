from datetime import timedelta

from odoo.tests import new_test_user

from odoo.addons.customer_care.tests.common import CareCase

MAILING = "mass_mailing.group_mass_mailing_user"


class AudienceCase(CareCase):
    """The care customers (new, VIP, churned, another new) with e-mails, classified in the
    main company, and a second company where only the churned one ordered again lately."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for partner in (cls.new, cls.vip, cls.churned, cls.nobody):
            partner.email = f"{partner.name.lower().replace(' ', '.')}@example.com"
        cls.contact = cls.env["res.partner"].create(
            {"name": "Buyer of New Co", "parent_id": cls.new.id, "email": "buyer@example.com"}
        )
        cls.other = cls.env["res.company"].create({"name": "Other Co"})
        cls.env.user.company_ids |= cls.other
        cls.order(cls.churned, cls.today - timedelta(days=3), 100, company_id=cls.other.id)
        cls.engine.with_company(cls.other).run()
        salesman = "sales_team.group_sale_salesman_all_leads"
        insight = "customer_segmentation.group_customer_insight"
        cls.marketer = new_test_user(
            cls.env, "ci_marketer", groups=f"{salesman},{insight}_user,{MAILING}"
        )
        cls.marketing_manager = new_test_user(
            cls.env, "ci_marketing_manager", groups=f"{salesman},{insight}_manager,{MAILING}"
        )
        cls.mailer = new_test_user(cls.env, "ci_mailer", groups=MAILING)
        cls.portal = new_test_user(cls.env, "ci_portal", groups="base.group_portal")
        for user in (cls.marketer, cls.marketing_manager):
            user.company_ids |= cls.other

    def members(self, company, column, value):
        """Partners whose commercial entity's profile in ``company`` has ``column`` =
        ``value``, read in SQL (the independent computation)."""
        self.env.flush_all()
        self.env.cr.execute(
            f"""SELECT rp.id FROM res_partner rp
                  JOIN customer_profile p ON p.partner_id = rp.commercial_partner_id
                 WHERE p.company_id = %s AND p.{column} = %s""",  # noqa: S608 - test columns
            [company.id, value],
        )
        return self.env["res.partner"].browse(row[0] for row in self.env.cr.fetchall())

    def mailing(self, action, user=None):
        """Save the draft mailing the action opens, as ``user``."""
        env = self.env(user=user) if user else self.env
        return (
            env["mailing.mailing"]
            .with_context(action["context"])
            .create({"subject": "For this class", "body_html": "<p>Hello</p>"})
        )
