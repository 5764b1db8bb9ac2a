import math

from odoo.exceptions import ValidationError


def check_finite(records, vals, field_names):
    """A ValidationError, before Odoo rounds them, for the amounts of ``vals`` that are not
    finite numbers (NaN and infinities can reach the server through JSON-RPC)."""
    for name in field_names:
        value = vals.get(name)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(
                records.env._(
                    "%(field)s must be a finite number.",
                    field=records._fields[name]._description_string(records.env),
                )
            )
