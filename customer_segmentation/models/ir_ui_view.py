from odoo import fields, models

# Root attributes of a scatter view that each name a field of the view's model.
SCATTER_FIELD_ATTRIBUTES = ("x_field", "y_field", "label_field", "open_field")


class IrUiView(models.Model):
    _inherit = "ir.ui.view"

    type = fields.Selection(selection_add=[("scatter", "Scatter"), ("heatmap", "Heatmap")])

    def _get_view_info(self):
        return {
            "scatter": {"icon": "fa fa-braille"},
            "heatmap": {"icon": "fa fa-th"},
        } | super()._get_view_info()

    def _validate_tag_scatter(self, node, name_manager, node_info):
        names = [node.get(attr) for attr in SCATTER_FIELD_ATTRIBUTES if node.get(attr)]
        names += [name for name in (node.get("color_fields") or "").split(",") if name]
        for attr in ("x_field", "y_field"):
            if not node.get(attr):
                self._raise_view_error(
                    self.env._("A scatter view needs the attribute %s.", attr), node
                )
        for name in names:
            self._chart_view_field(node, name_manager, node_info, name)

    def _validate_tag_heatmap(self, node, name_manager, node_info):
        name = node.get("date_field")
        if not name:
            self._raise_view_error(
                self.env._("A heatmap view needs the attribute date_field."), node
            )
        if self._chart_view_field(node, name_manager, node_info, name).type != "datetime":
            self._raise_view_error(
                self.env._(
                    "The date_field of a heatmap view must be a date and time field: %s", name
                ),
                node,
            )

    def _chart_view_field(self, node, name_manager, node_info, name):
        """The field ``name`` of the view's model, sent to the web client with the view."""
        field = name_manager.model._fields.get(name)
        if field is None:
            self._raise_view_error(
                self.env._(
                    "Field “%(field)s” does not exist in model “%(model)s”",
                    field=name,
                    model=name_manager.model._name,
                ),
                node,
            )
        name_manager.has_field(node, name, node_info)
        return field
