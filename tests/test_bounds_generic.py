"""Bounded numbers by construction (README: Security and privacy).

Every number of the addon a user can set (stored or written through a related field, not read-only,
on the addon's models, the company and settings fields it adds, and its wizards) has a range in its
model's `_get_field_bounds` (claim.bounds.mixin), unless BOUNDS_EXEMPT gives the reason; and NaN,
the infinities, 1e308, 2**31, a fraction for a whole number and the values just outside the range
are refused with a ValidationError naming the field, before anything is stored."""

import json
import math
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.models import MAGIC_COLUMNS
from odoo.tests import HttpCase, tagged

from .common import CallbackCase
from .test_isolation_generic import MODULE, CompanyRecordCase, addon_models

# Numbers a user can set that need no range, each with its reason (none today).
BOUNDS_EXEMPT = {}
# Models whose numbers are only ever created, never written (the reward ledger is append-only).
CREATED_ONLY = {"claim.reward.entry"}
HOSTILE = (math.nan, math.inf, -math.inf, 1e308, -1e308, 2**31, 2**63)
INT4 = (-(2**31), 2**31 - 1)


def settable_numbers(env):
    """[(model, field)] of the addon's numbers a user can set."""
    return [
        (model, field)
        for model in addon_models(env)
        for name, field in env[model]._fields.items()
        if field.type in ("integer", "float", "monetary") and field._module == MODULE and name not in MAGIC_COLUMNS
        and not field.readonly and (field.store or field.related or field.inverse)
    ]


def declared_bounds(env):
    """[(model, field, (low, high))] of every range the addon's models declare."""
    return [
        (model, env[model]._fields[name], bounds)
        for model in addon_models(env)
        if hasattr(env[model], "_get_field_bounds")
        for name, bounds in env[model]._get_field_bounds().items()
    ]


def _in_range(value, field, low, high):
    return math.isfinite(value) and low <= value <= high and (field.type != "integer" or value == int(value))


@tagged("post_install", "-at_install")
class TestBoundedNumbers(CompanyRecordCase):
    def test_every_settable_number_has_a_range_or_a_reasoned_exemption(self):
        numbers = settable_numbers(self.env)
        self.assertIn(("claim.sla.rule", self.env["claim.sla.rule"]._fields["completion_hours"]), numbers)
        missing = []
        for model, field in numbers:
            owner = field.related_field if field.related else field
            Owner = self.env[owner.model_name]
            if (model, field.name) in BOUNDS_EXEMPT:
                continue
            if not hasattr(Owner, "_get_field_bounds") or owner.name not in Owner._get_field_bounds():
                missing.append(f"{owner.model_name}.{owner.name}")
        self.assertFalse(missing, "numbers a user can set without a range (claim.bounds.mixin) or an exemption")
        self.assertFalse([k for k in BOUNDS_EXEMPT if k not in {(m, f.name) for m, f in numbers}], "stale exemptions")

    def test_ranges_fit_their_column(self):
        for model, field, (low, high) in declared_bounds(self.env):
            with self.subTest(model=model, field=field.name):
                self.assertLess(low, high)
                if field.type == "integer":
                    self.assertTrue(INT4[0] <= low and high <= INT4[1], "the range overflows the integer column")

    def test_out_of_range_numbers_are_refused_with_the_fields_name(self):
        ranges = [(model, field, bounds) for model, field, bounds in declared_bounds(self.env)]
        declared = {(model, field.name) for model, field, _bounds in ranges}
        for model, field in settable_numbers(self.env):  # through the settings: the company's range applies
            if field.related and (model, field.name) not in declared | BOUNDS_EXEMPT.keys():
                owner = field.related_field
                ranges.append((model, field, self.env[owner.model_name]._get_field_bounds()[owner.name]))
        for model, field, (low, high) in ranges:
            values = (low - 1, high + 1, *HOSTILE) + ((low + 0.5,) if field.type == "integer" else ())
            self._assert_refused(model, field, [v for v in values if not _in_range(v, field, low, high)])

    def test_values_within_range_are_kept(self):
        company = self.env.company
        company.write({"callback_risk_capacity_pct": 150.0, "callback_chain_limit": 20})
        self.assertEqual((company.callback_risk_capacity_pct, company.callback_chain_limit), (150.0, 20))

    def _assert_refused(self, model, field, values):
        record = self._record(model, self.company)
        label = field._description_string(self.env)
        for value in values:
            with self.subTest(model=model, field=field.name, value=value):
                with self.assertRaises(ValidationError) as caught:
                    if record._transient or model in CREATED_ONLY:
                        self.env[model].create({**self._values_of(record), field.name: value})
                    else:
                        record.write({field.name: value})
                self.assertIn(label.lower(), str(caught.exception).lower())


@tagged("post_install", "-at_install")
class TestBoundsOverHttp(CallbackCase, HttpCase):
    """Finding 3 of issue #19: NaN / Infinity risk thresholds and SLA hours of 1e308 were stored."""

    def _post(self, user, path, body):
        key = self.env["res.users.apikeys"].with_user(user)._generate(
            None, user.login, fields.Datetime.now() + timedelta(days=1)
        )
        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname,
                   "Authorization": f"bearer {key}"}
        return self.url_open(path, data=json.dumps(body), headers=headers)  # NaN, Infinity: JSON as Python writes it

    def test_nan_and_infinite_settings_are_4xx_and_not_stored(self):
        admin = self.env.ref("base.user_admin")
        for vals in ({"callback_risk_capacity_pct": math.nan}, {"callback_risk_contact_ratio": math.inf},
                     {"callback_risk_topic_factor": 1e308}, {"callback_chain_limit": 2**31}):
            with self.subTest(vals=vals):
                response = self._post(admin, "/json/2/res.company/write", {"ids": [self.company.id], "vals": vals})
                self.assertEqual(response.status_code, 422, response.text)
                response = self._post(admin, "/json/2/res.config.settings/create", {"vals_list": [vals]})
                self.assertEqual(response.status_code, 422, response.text)
        self.company.invalidate_recordset()
        self.assertEqual((self.company.callback_risk_capacity_pct, self.company.callback_chain_limit), (90.0, 3))

    def test_sla_hours_of_1e308_are_4xx(self):
        rule = self.env["claim.sla.rule"].create({"name": "Standard"})
        for vals in ({"completion_hours": 1e308}, {"first_contact_hours": math.nan}, {"at_risk_ratio": -math.inf}):
            with self.subTest(vals=vals):
                response = self._post(self.manager, "/json/2/claim.sla.rule/write", {"ids": [rule.id], "vals": vals})
                self.assertEqual(response.status_code, 422, response.text)
        rule.invalidate_recordset()
        self.assertEqual(rule.completion_hours, 72.0)
