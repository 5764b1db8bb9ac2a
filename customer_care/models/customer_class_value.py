from odoo import api, fields, models
from odoo.fields import Domain


class CustomerClassValue(models.Model):
    """A value of a customer class (a lifecycle stage, value tier, customer type...) that
    care rules can target. The records are made from the classification's selection fields
    (``_sync_values``) and show their labels, translated: the lists live in one place."""

    _name = "customer.class.value"
    _description = "Customer Class Value"
    _order = "kind, sequence, id"

    name = fields.Char(
        compute="_compute_name",
        search="_search_name",
        help="Label of the value in the classification, in the user's language.",
    )
    kind = fields.Selection(
        selection="_selection_kind", required=True, help="The class the value belongs to."
    )
    code = fields.Char(required=True, help="The value stored on the customer's classification.")
    sequence = fields.Integer(default=10, help="Order of the value in its class.")

    _kind_code_uniq = models.UniqueIndex("(kind, code)")

    @api.model
    def _class_fields(self):
        """{kind: (model, field)}: the selection fields whose values care rules can target;
        other addons add theirs."""
        return {
            "lifecycle_stage": ("customer.profile", "lifecycle_stage"),
            "value_tier": ("customer.profile", "value_tier"),
            "customer_type": ("res.partner", "customer_type"),
            "payment_class": ("customer.profile", "payment_class"),
            "satisfaction_class": ("res.partner", "customer_satisfaction_class"),
        }

    def _field(self, kind):
        model, name = self._class_fields()[kind]
        return self.env[model]._fields[name]

    @api.model
    def _selection_kind(self):
        return [
            (kind, self._field(kind)._description_string(self.env)) for kind in self._class_fields()
        ]

    def _labels(self, kind):
        return dict(self._field(kind)._description_selection(self.env))

    @api.depends("kind", "code")
    @api.depends_context("lang")
    def _compute_name(self):
        for value in self:
            value.name = value.kind and value._labels(value.kind).get(value.code, value.code)

    def _search_name(self, operator, value):
        if operator not in ("ilike", "in"):
            return NotImplemented

        def matches(label):
            return str(value).lower() in label.lower() if operator == "ilike" else label in value

        return Domain.OR(
            Domain("kind", "=", kind) & Domain("code", "=", code)
            for kind in self._class_fields()
            for code, label in self._labels(kind).items()
            if matches(label)
        )

    @api.model
    def _sync_values(self):
        """One record, with a stable external id, per value of every class field."""
        self._load_records(
            [
                {
                    "xml_id": f"customer_care.class_{kind}_{code}",
                    "values": {"kind": kind, "code": code, "sequence": 10 * (index + 1)},
                    "noupdate": True,
                }
                for kind in self._class_fields()
                for index, code in enumerate(self._field(kind).get_values(self.env))
            ]
        )
