from datetime import timedelta

from lxml import html
from markupsafe import escape

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CareCase

XSS_NAME = "<img src=x onerror=alert(1)>"
EDITOR_GROUP = "mail.group_mail_template_editor"


@tagged("post_install", "-at_install")
class TestActivityTexts(CareCase):
    def assertHarmless(self, note):
        """No element or attribute came from the customer's name: it shows as text."""
        tree = html.fragment_fromstring(note, create_parent="div")
        self.assertFalse(tree.xpath("//img | //*[@onerror]"), note)
        self.assertIn(XSS_NAME, tree.text_content())

    def test_customer_values_are_escaped_in_notes(self):
        evil = self.customer(XSS_NAME, user_id=self.rep.id)
        self.order(evil, self.today - timedelta(days=2), 10)
        self.engine.run()
        rule = self.rule(["new"], note="<p>Call {{ object.name }} today</p>")
        self.care.run(rule)
        activity = self.logs(rule, evil).activity_id
        self.assertHarmless(activity.note)
        self.assertEqual(activity.summary, f"Call {XSS_NAME}", "the summary is plain text")
        self.env.cr.execute("SELECT note FROM mail_activity WHERE id = %s", [activity.id])
        self.assertHarmless(self.env.cr.fetchone()[0])

    def test_code_in_texts_is_for_template_editors(self):
        manager = self.users["manager"]
        self.assertFalse(manager.has_group(EDITOR_GROUP))
        admin = self.env.ref("base.user_admin")
        admin_name = admin.name
        code = "<p>{{ object.env.ref('base.user_admin').write({'name': 'Owned'}) }}</p>"
        Rule = self.env["customer.care.rule"].with_user(manager)
        stage = [(6, 0, self.stage("vip").ids)]
        with self.assertRaises(AccessError):
            Rule.create({"name": "Sneaky", "lifecycle_stage_ids": stage, "note": code})
        rule = Rule.create(
            {
                "name": "Plain",
                "lifecycle_stage_ids": stage,
                "note": "<p>{{ object.name }}</p>",
                "holdout_percent": 0,
            }
        )
        with self.assertRaises(AccessError):
            rule.note = code
        with self.assertRaises(AccessError):
            rule.with_context(lang="en_US").summary = "{{ object.env.user.login }}"
        # Written behind the check (an import, a former editor...): the run refuses it too.
        rule.sudo().note = code
        with self.assertRaises(UserError):
            self.care.with_user(manager).run(rule)
        self.assertEqual(admin.name, admin_name)
        self.assertFalse(self.logs(rule))

    def test_an_editor_may_use_code_run_as_the_editor(self):
        editor = new_test_user(
            self.env,
            "care_editor",
            groups=f"customer_segmentation.group_customer_insight_manager,{EDITOR_GROUP}",
        )
        rule = (
            self.env["customer.care.rule"]
            .with_user(editor)
            .create(
                {
                    "name": "Shout",
                    "lifecycle_stage_ids": [(6, 0, self.stage("new").ids)],
                    "summary": "{{ object.name.upper() }} by {{ user.login }}",
                    "note": "<p>{{ object.name.upper() }}</p>",
                    "holdout_percent": 0,
                }
            )
        )
        self.care.run(rule)
        activity = self.logs(rule, self.new).activity_id
        self.assertEqual(activity.summary, "NEW CO by care_editor", "evaluated as the editor")
        self.assertIn("NEW CO", activity.note)
        editor.group_ids -= self.env.ref(EDITOR_GROUP)
        with self.assertRaises(UserError):
            self.care.run(rule)

    def test_fast_path_activities_equal_odoo_create(self):
        """The same activity created by the engine and by ``mail.activity.create``, with
        the assignment message and without (Odoo's bulk mode): same values, followers and
        notification."""
        for notify in (True, False):
            with self.subTest(notify=notify):
                name = f'Twin "{notify}" & <Co>'
                partner = self.customer(name, user_id=self.rep.id)
                twin = self.customer(name, user_id=self.rep.id)
                self.order(partner, self.today - timedelta(days=2), 10)
                self.engine.run()
                rule = self.rule(
                    ["new"],
                    notify_assignee=notify,
                    partner_domain=f"[('id', '=', {partner.id})]",
                    note="<p>Call {{ object.name }}</p><script>alert(1)</script>",
                )
                self.care.run(rule)
                fast = self.logs(rule, partner).activity_id
                Activity = self.env["mail.activity"].with_context(
                    mail_activity_quick_update=not notify
                )
                reference = Activity.create(
                    {
                        "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                        "res_id": twin.id,
                        "activity_type_id": rule.activity_type_id.id,
                        "summary": fast.summary,
                        "note": f"<p>Call {escape(name)}</p><script>alert(1)</script>",
                        "date_deadline": fast.date_deadline,
                        "user_id": self.rep.id,
                        "automated": True,
                    }
                )
                self.env.flush_all()
                self.env.invalidate_all()
                self.assertEqual(self.stored(fast), self.stored(reference))
                self.assertNotIn("script", fast.note)
                self.assertEqual(self.followers(partner), self.followers(twin))
                notified = self.notifications(partner, fast.summary)
                self.assertEqual(notified, self.notifications(twin, fast.summary))
                self.assertEqual(len(notified), int(notify))

    def stored(self, activity):
        skip = {"id", "res_id", "create_date", "write_date"}
        names = [
            name
            for name, field in activity._fields.items()
            if field.store and field.column_type and name not in skip
        ]
        return activity.read(names, load=None)[0] | {"id": None}

    def followers(self, partner):
        return {
            (follower.partner_id, follower.subtype_ids)
            for follower in self.env["mail.followers"].search(
                [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
            )
        }

    def notifications(self, partner, summary):
        """The 'activity assigned to you' messages about ``partner``."""
        messages = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("message_type", "=", "user_notification"),
                ("subject", "ilike", summary),
            ]
        )
        return [
            (m.subject, m.body, m.author_id, m.partner_ids, m.subtype_id, m.record_name)
            for m in messages
        ]

    def test_key_figures_read_in_sql_equal_the_orm(self):
        """Every placeholder a rule may use without editor rights has the value the ORM
        gives, in the assignee's language."""
        buyer = self.customer("Figures", user_id=self.rep.id)
        self.order(buyer, self.today - timedelta(days=40), 10)
        self.order(buyer, self.today - timedelta(days=3), 20)
        unclassified = self.customer("No figures", user_id=self.rep.id)
        self.engine.run()
        self.env["res.lang"]._activate_lang("zh_CN")
        expressions = set(self.env["res.partner"].mail_allowed_qweb_expressions())
        expressions -= {"object.contact_name", "object.partner_id", "object.partner_id.name"}
        self.assertIn("object.rfm_recency_days", expressions, "computed on the profile")
        for lang in ("en_US", "zh_CN"):
            partners = (
                self.env["res.partner"].with_context(lang=lang).browse((buyer | unclassified).ids)
            )
            figures = self.care._key_figures(partners, expressions)
            for partner in partners:
                for expression in expressions:
                    expected = partner
                    for name in expression.split(".")[1:]:
                        expected = expected[name]
                    self.assertEqual(figures[expression][partner.id], expected, expression)
