"""Every public method of the addons is an RPC endpoint: each one, found by
introspection, is called through Odoo's RPC entry point by a portal user, an internal user
outside the Customer Insight groups, a Customer Insight user, a manager and an administrator;
whoever it is not meant for gets an AccessError."""

from odoo.exceptions import AccessError
from odoo.service.model import call_kw, get_public_method
from odoo.tests import TransactionCase, new_test_user, tagged

ADDONS = (
    "customer_segmentation",
    "channel_attribution",
    "customer_care",
    "customer_clv",
    "customer_care_loyalty",
    "customer_care_mass_mailing",
)
PORTAL, INTERNAL, USER, MANAGER, ADMIN = range(5)
ROLES = {PORTAL: "portal", INTERNAL: "internal", USER: "user", MANAGER: "manager", ADMIN: "admin"}

# Who each public method is meant for (the lowest role that may call it).
MEANT_FOR = {
    ("customer.segmentation.engine", "run"): MANAGER,
    ("customer.segmentation.engine", "process_queue"): MANAGER,
    ("customer.channel.engine", "recompute"): MANAGER,
    ("customer.care.engine", "run"): MANAGER,
    ("customer.channel.attribution", "recompute_attribution"): MANAGER,
    ("customer.care.rule", "run_care_rules"): MANAGER,
    ("customer.care.rule", "action_run"): MANAGER,
    ("customer.care.rule", "action_preview"): USER,
    ("customer.care.rule", "action_view_logs"): USER,
    ("customer.clv.model", "fit_for_company"): MANAGER,
    ("customer.clv.model", "action_fit_now"): MANAGER,
    ("customer.clv.model", "action_holdout_check"): MANAGER,
    ("customer.rfm.segment", "action_view_customers"): INTERNAL,
    # Customer Insight users who may also send mailings (Email Marketing's group): here, admin.
    ("customer.rfm.segment", "action_send_customer_mailing"): ADMIN,
    ("res.partner", "action_send_customer_mailing"): ADMIN,
    ("res.partner", "recompute_customer_segmentation"): MANAGER,
    ("res.partner", "replay_customer_history"): MANAGER,
    ("res.partner", "action_pin_customer_class"): MANAGER,
    ("res.partner", "action_unpin_customer_class"): MANAGER,
    ("res.partner", "action_view_segment_history"): USER,
    ("res.partner", "action_edit_acquisition"): MANAGER,
    ("res.partner", "action_view_care_logs"): USER,
    ("res.partner", "action_view_customer_referrals"): INTERNAL,
    ("customer.segment.pin.wizard", "action_pin"): MANAGER,
    ("customer.acquisition.wizard", "action_save"): MANAGER,
    ("customer.acquisition.wizard", "action_reset"): MANAGER,
    ("res.config.settings", "action_recompute_customer_segmentation"): ADMIN,
    ("res.config.settings", "action_replay_customer_history"): ADMIN,
    ("res.config.settings", "action_recompute_attribution"): ADMIN,
    ("res.config.settings", "action_run_care_rules"): ADMIN,
}
# Odoo's own public methods that the addons extend: Odoo's access rules decide.
ODOO_METHODS = {
    "create",
    "write",
    "unlink",
    "default_get",
    "button_draft",
    "button_cancel",
    "mail_allowed_qweb_expressions",
}


def public_methods(env):
    """(model, method) of every RPC-callable method that one of the addons defines."""
    prefixes = tuple(f"odoo.addons.{addon}." for addon in ADDONS)
    found = set()
    for model_name in env.registry:
        model = env[model_name]
        for name in dir(type(model)):
            if name.startswith("_") or not callable(getattr(type(model), name, None)):
                continue
            try:
                get_public_method(model, name)
            except (AccessError, AttributeError):
                continue
            if any(
                name in vars(klass) and klass.__module__.startswith(prefixes)
                for klass in type(model).mro()
            ):
                found.add((model_name, name))
    return found


@tagged("post_install", "-at_install")
class TestRpcAccess(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        salesman = "sales_team.group_sale_salesman_all_leads"
        cls.users = {
            PORTAL: new_test_user(cls.env, "rpc_portal", groups="base.group_portal"),
            INTERNAL: new_test_user(cls.env, "rpc_internal", groups="base.group_user"),
            USER: new_test_user(
                cls.env,
                "rpc_user",
                groups=f"{salesman},customer_segmentation.group_customer_insight_user",
            ),
            MANAGER: new_test_user(
                cls.env,
                "rpc_manager",
                groups=f"{salesman},customer_segmentation.group_customer_insight_manager",
            ),
            ADMIN: cls.env.ref("base.user_admin"),
        }
        cls.customer = cls.env["res.partner"].create({"name": "RPC customer", "is_company": True})
        cls.records = {
            "customer.rfm.segment": cls.env.ref("customer_segmentation.rfm_segment_champions"),
            "customer.care.rule": cls.env["customer.care.rule"].search([], limit=1),
            "customer.clv.model": cls.env["customer.clv.model"].create(
                {"company_id": cls.env.company.id, "calibration_end": "2025-01-01"}
            ),
        }

    def record(self, model, role):
        """A record to call ``model``'s method on, as ``role``: the portal user's own
        contact; for wizards and settings, one of their own if they may create it."""
        if model == "res.partner":
            return self.users[role].partner_id if role == PORTAL else self.customer
        if model in self.records:
            return self.records[model]
        values = {"partner_id": self.customer.id, "reason": "RPC"}
        if model == "customer.acquisition.wizard":
            values = {
                "partner_id": self.customer.id,
                "channel_id": self.env.ref("channel_attribution.channel_unassigned").id,
            }
        elif model == "res.config.settings":
            values = {}
        records = self.env[model].with_user(self.users[role])
        try:
            with self.env.cr.savepoint():
                return records.create(values)
        except AccessError:
            return self.env[model].with_user(self.users[ADMIN]).create(values)

    def call(self, model, method, role):
        """Call the method through the RPC entry point as ``role``; the AccessError, if any."""
        records = self.env[model].with_user(self.users[role])
        args = []
        if not getattr(get_public_method(records, method), "_api_model", False):
            args = [self.record(model, role).ids]
        self.env.invalidate_all()  # as in a new request: nothing read before is in cache
        try:
            with self.env.cr.savepoint():
                call_kw(records, method, args, {})
        except AccessError as error:
            return error
        except Exception:  # noqa: BLE001 - meant for this role: any other outcome is its own
            return None
        return None

    def test_every_public_method_is_classified(self):
        found = public_methods(self.env)
        unknown = {key for key in found if key not in MEANT_FOR and key[1] not in ODOO_METHODS}
        self.assertFalse(unknown, "public methods nobody decided who may call")
        self.assertFalse(set(MEANT_FOR) - found, "methods listed here that no longer exist")

    def test_each_method_refuses_whom_it_is_not_meant_for(self):
        wrong = []
        for (model, method), lowest in sorted(MEANT_FOR.items()):
            for role, name in ROLES.items():
                error = self.call(model, method, role)
                if (role < lowest) != isinstance(error, AccessError):
                    wrong.append(f"{model}.{method} as {name}: {error or 'allowed'}")
        self.assertFalse(wrong, "\n".join(wrong))

    def test_private_engine_steps_are_not_endpoints(self):
        for model, method in (
            ("customer.segmentation.engine", "_run"),
            ("customer.segmentation.engine", "_step_classify"),
            ("customer.insight.demo", "_generate"),
            ("customer.channel.engine", "_recompute"),
            ("customer.care.engine", "_cron_apply_rules"),
        ):
            with self.assertRaises(AccessError):
                call_kw(self.env[model].with_user(self.users[MANAGER]), method, [], {})

    def test_assessments_are_for_internal_users(self):
        """A portal user reads none of the fields the addons add to contacts, not even on
        their own contact; an internal user outside the groups reads the classes."""
        fields = [
            name
            for name, field in self.env["res.partner"]._fields.items()
            if field._module in ADDONS
        ]
        self.assertIn("customer_lifecycle_stage", fields)
        self.assertIn("care_churn_note", fields)
        portal = self.users[PORTAL]
        own = portal.partner_id.with_user(portal)
        readable = []
        for name in fields:
            own.invalidate_recordset()
            try:
                own.read([name])
                readable.append(name)
            except AccessError:
                pass
        self.assertFalse(readable, "fields a portal user can read")
        internal = self.customer.with_user(self.users[INTERNAL])
        internal.read(["customer_lifecycle_stage", "rfm_segment_id", "customer_churn_risk"])
