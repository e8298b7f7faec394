"""Values users give to the addon's models have the shape and range of their field, or are refused
with a clear error (README: Security and privacy, "Bounded input").

Odoo converts what `create` / `write` receive with `int()`, `float()` and the database's own checks,
so a wrong type, an unknown selection key, 2^31 in an integer, NaN, a NUL character or an unknown
field name ends as a server error (HTTP 500 over JSON-2) or is silently cut (1.5 points become 1).
This check runs, for users (not the system's own writes), on every model whose classes include one
of this addon's, before anything is written; `default_*` context keys are checked the same way,
since `create` applies them to every field. A model or field added later is covered without being
listed anywhere.
"""

import contextlib
import functools
import math
from datetime import date, datetime

from odoo import api, fields, models
from odoo.exceptions import MissingError, UserError, ValidationError

MODULE_PREFIX = "odoo.addons.insurance_claim_callback."
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL's integer
YEAR_MIN, YEAR_MAX = 1900, 2999  # any date a claim, a callback or a setting may carry
X2MANY_COMMANDS = range(7)


@functools.cache
def _is_addon_model(cls):
    """The model has a class of this addon (this file's, in every model, does not count)."""
    return any(klass.__module__.startswith(MODULE_PREFIX) and klass.__module__ != __name__ for klass in cls.__mro__)


class Base(models.AbstractModel):
    _inherit = "base"

    def _register_hook(self):
        """Check the values first, before any override of `create` / `write` reads them: each addon
        model's own class gets the check in front, as base_automation patches its models. Done once, from
        the `base` model's hook (every model's hook runs this method, and res.users' does not call super)."""
        super()._register_hook()
        if self._name != "base":
            return
        for cls in self.env.registry.models.values():
            if cls._abstract or not _is_addon_model(cls) or "_input_guarded" in vars(cls):
                continue
            cls._input_guarded = True
            cls.create = _guarded_create(cls.create)
            cls.write = _guarded_write(cls.write)

    def _check_input_vals_list(self, vals_list):
        if isinstance(vals_list, dict):
            vals_list = [vals_list]
        if not isinstance(vals_list, list):
            raise ValidationError(self.env._("Give the values of the records to create as a list."))
        defaults = self._input_defaults()
        for vals in vals_list:
            self._check_input_vals(vals)
            self._check_input_vals({name: value for name, value in defaults.items() if name not in vals})
            missing = [
                field for name, field in self._fields.items()
                if field.required and field.store and not field.compute and not field.related
                and field.default is None and name not in vals and name not in defaults
            ]
            if missing:
                raise ValidationError(self.env._(
                    "%(fields)s: a value is required.",
                    fields=", ".join(field._description_string(self.env) for field in missing),
                ))

    def _input_defaults(self):
        """The `default_*` context keys `create` would apply to this model's fields."""
        return {
            key[8:]: value for key, value in self.env.context.items()
            if isinstance(key, str) and key.startswith("default_") and key[8:] in self._fields
        }

    @api.model
    def _search(self, domain, *args, **kwargs):
        if not self._must_check_input():
            return super()._search(domain, *args, **kwargs)
        with self._refuse_bad_query():
            return super()._search(domain, *args, **kwargs)

    @api.model
    def _read_group(self, domain, *args, **kwargs):
        if not self._must_check_input():
            return super()._read_group(domain, *args, **kwargs)
        with self._refuse_bad_query():
            return super()._read_group(domain, *args, **kwargs)

    @contextlib.contextmanager
    def _refuse_bad_query(self):
        """A domain, group-by or order the ORM cannot read (unknown or unsearchable field, wrong
        operator or value) is the caller's mistake: a clear error, not a server error."""
        try:
            yield
        except (ValueError, TypeError, KeyError) as error:
            raise UserError(
                self.env._("This search or grouping cannot be done: %(error)s", error=str(error)[:300])
            ) from error

    def check_access(self, operation):
        # ids over JSON-2 are the caller's: 0 or a negative id names no record (a service method that checks
        # access would otherwise act on nothing, e.g. post on "record 0")
        if self._must_check_input() and any(isinstance(id_, int) and id_ <= 0 for id_ in self._ids):
            raise MissingError(self.env._("These records do not exist: %(ids)s", ids=str(list(self._ids))[:80]))
        return super().check_access(operation)

    def ensure_one(self):
        if len(self._ids) != 1 and self._must_check_input():
            raise ValidationError(
                self.env._("Give exactly one %(model)s (got %(count)s).", model=self._description, count=len(self._ids))
            )
        return super().ensure_one()

    def _must_check_input(self):
        return not self.env.su and _is_addon_model(type(self))

    def _check_input_vals(self, vals):
        if not isinstance(vals, dict):
            raise ValidationError(self.env._("Values must be given as a mapping of field names to values."))
        for name, value in vals.items():
            field = self._fields.get(name) if isinstance(name, str) else None
            if field is None:
                raise ValidationError(
                    self.env._("%(model)s has no field %(field)s.", model=self._description, field=str(name)[:80])
                )
            if value is None or value is False:
                continue
            error = self._input_error(field, value)
            if error:
                raise ValidationError(
                    self.env._("%(field)s: %(error)s", field=field._description_string(self.env), error=error)
                )

    def _input_error(self, field, value):
        """Why `value` cannot go into `field`, or None."""
        check = INPUT_CHECKS.get(field.type)
        return check(self, field, value) if check else None

    def _input_integer_error(self, field, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or value != int(value):
            return self.env._("a whole number is expected.")
        if not INT_MIN <= value <= INT_MAX:
            return self.env._("the number is out of range.")
        return None

    def _input_float_error(self, field, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return self.env._("a finite number is expected.")
        return None

    def _input_text_error(self, field, value):
        if not isinstance(value, str) and not (field.translate and isinstance(value, dict)):
            return self.env._("a text is expected.")
        texts = value.values() if isinstance(value, dict) else [value]
        if any(not isinstance(text, str) or "\x00" in text for text in texts):
            return self.env._("the text contains a NUL character.")
        return None

    def _input_boolean_error(self, field, value):
        return None if value in (True, False, 0, 1) else self.env._("true or false is expected.")

    def _input_selection_error(self, field, value):
        if not isinstance(value, str) or value not in self._input_selection_keys(field):
            return self.env._("%(value)s is not one of the choices.", value=str(value)[:80])
        return None

    def _input_many2one_error(self, field, value):
        if isinstance(value, models.BaseModel):
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= INT_MAX:
            return self.env._("a record id is expected.")
        return None

    def _input_selection_keys(self, field):
        return {key for key, _label in field._description_selection(self.env)}

    def _input_date_error(self, field, value):
        if isinstance(value, (date, datetime)):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = fields.Date.to_date(value) if field.type == "date" else fields.Datetime.to_datetime(value)
            except ValueError:
                parsed = None
        else:
            parsed = None
        if parsed is None:
            return self.env._("a date is expected (YYYY-MM-DD).")
        if not YEAR_MIN <= parsed.year <= YEAR_MAX:
            return self.env._("the year must be between %(min)s and %(max)s.", min=YEAR_MIN, max=YEAR_MAX)
        return None

    def _input_x2many_error(self, field, value):
        if isinstance(value, models.BaseModel):
            return None
        if not isinstance(value, (list, tuple)):
            return self.env._("a list of records or commands is expected.")
        for item in value:
            if isinstance(item, int) and not isinstance(item, bool) and 0 < item <= INT_MAX:
                continue
            if not isinstance(item, (list, tuple)) or not item or item[0] not in X2MANY_COMMANDS \
                    or isinstance(item[0], bool):
                return self.env._("a list of records or commands is expected.")
            if any(isinstance(x, float) or isinstance(x, int) and not isinstance(x, bool) and not 0 <= x <= INT_MAX
                   for x in item[1:2]):
                return self.env._("a record id is expected.")
            if item[0] in (0, 1) and (len(item) < 3 or not isinstance(item[2], dict)):
                return self.env._("a list of records or commands is expected.")
            if item[0] == 6 and (len(item) < 3 or not isinstance(item[2], (list, tuple)) or any(
                    isinstance(x, bool) or not isinstance(x, int) or not 0 < x <= INT_MAX for x in item[2])):
                return self.env._("a list of record ids is expected.")
        return None


INPUT_CHECKS = {
    "integer": Base._input_integer_error,
    "float": Base._input_float_error,
    "monetary": Base._input_float_error,
    "char": Base._input_text_error,
    "text": Base._input_text_error,
    "html": Base._input_text_error,
    "boolean": Base._input_boolean_error,
    "selection": Base._input_selection_error,
    "date": Base._input_date_error,
    "datetime": Base._input_date_error,
    "many2one": Base._input_many2one_error,
    "one2many": Base._input_x2many_error,
    "many2many": Base._input_x2many_error,
}


def _guarded_create(origin):
    @functools.wraps(origin)
    def create(self, vals_list, *args, **kwargs):
        if self._must_check_input():
            self._check_input_vals_list(vals_list)
        return origin(self, vals_list, *args, **kwargs)

    return create


def _guarded_write(origin):
    @functools.wraps(origin)
    def write(self, vals, *args, **kwargs):
        if self._must_check_input():
            self._check_input_vals(vals)
        return origin(self, vals, *args, **kwargs)

    return write
