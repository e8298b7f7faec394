from odoo import api, models
from odoo.exceptions import AccessError

DEFAULT_PREFIX = "default_"


class ClaimProtectedMixin(models.AbstractModel):
    """Fields only the product sets (README: Security and privacy).

    A model names them in `_protected_fields`. A `default_<field>` context key is a value
    the caller gives: a user's create with one for a protected field is refused, as the
    same value in `vals` is (`sudo()` drops the caller's defaults for the system's own
    creates). `_check_protected` is the one refusal for `vals` too, for the models that
    let users write their other fields.
    """

    _name = "claim.protected.mixin"
    _description = "Fields Set Only by the Product"

    @api.model
    def _protected_fields(self):
        return frozenset()

    @api.model_create_multi
    def create(self, vals_list):
        self._check_protected(
            key.removeprefix(DEFAULT_PREFIX) for key in self.env.context if key.startswith(DEFAULT_PREFIX)
        )
        return super().create(vals_list)

    @api.model
    def _check_protected(self, names):
        """Refuse, to a user, the protected fields among `names`."""
        if self.env.su:
            return
        protected = sorted(set(names) & self._protected_fields())
        if protected:
            raise AccessError(
                self.env._(
                    "%(fields)s: set by the application only.",
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in protected),
                )
            )
