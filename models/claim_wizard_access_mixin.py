import functools
from collections.abc import Collection

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain


class ClaimWizardAccessMixin(models.AbstractModel):
    """A wizard acts for its user (README: Security and privacy):

    - it is theirs: nobody else finds, reads or changes it (Odoo gives transient records no owner
      rule, and a wizard holds what its user typed, e.g. the customer's comments);
    - every record its Many2one fields point to must be readable by them, whether given in the values,
      by a `default_*` context key or in an onchange: its related fields are read as superuser, so a
      wizard opened on another team's or company's record would show that record's data.

    Every wizard (TransientModel) of the addon inherits it; tests/test_isolation_generic.py checks it."""

    _name = "claim.wizard.access.mixin"
    _description = "Wizard Reading Only What Its User May Read"

    @api.model
    def default_get(self, fields):
        if not self._are_field_names(fields):
            raise ValidationError(self.env._("Give the names of the wizard's fields as a list."))
        defaults = super().default_get(fields)
        self._check_targets_readable(defaults)
        return defaults

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._check_wizard_targets()
        return wizards

    def write(self, vals):
        res = super().write(vals)
        self._check_wizard_targets()
        return res

    def onchange(self, values, field_names, fields_spec):
        if not (
            isinstance(values, dict) and self._are_field_names(values)
            and self._are_field_names(field_names)
            and isinstance(fields_spec, dict) and self._are_field_names(fields_spec)
            and all(isinstance(spec, dict) for spec in fields_spec.values())
        ):
            raise ValidationError(self.env._(
                "Give the wizard's values and field specification as mappings, and the changed fields as a list."
            ))
        self._check_targets_readable(values)
        return super().onchange(values, field_names, fields_spec)

    @api.model
    def _search(self, domain, *args, **kwargs):
        if not self.env.su and not kwargs.get("bypass_access"):
            domain = Domain(domain) & Domain("create_uid", "=", self.env.uid)
        return super()._search(domain, *args, **kwargs)

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or self.env.su or not any(self._ids):
            return result
        # sudo: the owner of each wizard, to refuse the others' ones
        forbidden = self.browse(w.id for w in self.sudo() if w.id and w.create_uid.id != self.env.uid)
        if forbidden:
            return forbidden, functools.partial(self.env["ir.rule"]._make_access_error, operation, forbidden)
        return None

    def _are_field_names(self, names):
        return (
            isinstance(names, Collection) and not isinstance(names, (str, bytes))
            and all(isinstance(name, str) and name in self._fields for name in names)
        )

    def _check_wizard_targets(self):
        if self.env.su:
            return
        for name, field in self._fields.items():
            if field.type == "many2one" and field.store:
                self.mapped(name).check_access("read")

    @api.model
    def _check_targets_readable(self, values):
        """Raise AccessError when a Many2one of `values` (ids) names a record the user cannot read."""
        if self.env.su:
            return
        for name, value in values.items():
            field = self._fields.get(name)
            if field and field.type == "many2one" and isinstance(value, int) and not isinstance(value, bool):
                self.env[field.comodel_name].browse(value).check_access("read")
