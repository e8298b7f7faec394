import math

from odoo import api, models
from odoo.exceptions import ValidationError

# Ranges shared by several models.
SEQUENCE = (-1_000_000, 1_000_000)  # order only
COLOR = (0, 11)  # Odoo's colour picker
AMOUNT = (0, 1_000_000_000_000)  # claim amounts and budgets, in the company currency
PERCENT = (0, 100)
POINTS = (1, 1_000_000)  # reward points of one rule, redemption or adjustment


class ClaimBoundsMixin(models.AbstractModel):
    """Every number a user can set has a range (README: Security and privacy): checked in `create`
    (defaults included) and `write`, before anything is converted or reaches the database, so NaN, infinities,
    1e308 or 2**31 are a clear ValidationError naming the field and its range, never stored and never
    an HTTP 500. Each model lists its ranges in `_get_field_bounds`; tests/test_bounds_generic.py
    finds every number a user can set and fails when one has no range."""

    _name = "claim.bounds.mixin"
    _description = "Numbers Within Their Range"

    def _get_field_bounds(self):
        """{field name: (lowest, highest)}, both included; extended by each model (super() first)."""
        return {}

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:  # before any conversion (res.config.settings converts in its create)
            self._check_field_bounds(vals)
        return super().create(vals_list)

    @api.model
    def _prepare_create_values(self, vals_list):  # the defaults too
        result = super()._prepare_create_values(vals_list)
        for vals in result:
            self._check_field_bounds(vals)
        return result

    def write(self, vals):
        self._check_field_bounds(vals)
        return super().write(vals)

    @api.model
    def _check_field_bounds(self, vals):
        bounds = self._get_field_bounds()
        for name in vals.keys() - bounds.keys():
            # a related field (e.g. a setting of the company) takes the range of the field it writes to
            target = self._fields[name].related_field if name in self._fields and self._fields[name].related else None
            if target and target.name in getattr(self.env[target.model_name], "_get_field_bounds", dict)():
                bounds[name] = self.env[target.model_name]._get_field_bounds()[target.name]
        for name in vals.keys() & bounds.keys():
            value, (low, high) = vals[name] or 0, bounds[name]
            field = self._fields[name]
            number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            if (
                not number
                or not low <= value <= high
                or (field.type == "integer" and value != int(value))
            ):
                label = field._description_string(self.env)
                if field.type == "integer":
                    raise ValidationError(self.env._(
                        "%(field)s must be a whole number between %(low)s and %(high)s.", field=label, low=low, high=high
                    ))
                raise ValidationError(self.env._(
                    "%(field)s must be a number between %(low)s and %(high)s.", field=label, low=low, high=high
                ))
