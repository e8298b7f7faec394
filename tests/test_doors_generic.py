"""Every door, found by enumeration (README: Security and privacy, "Guarantees by construction").

The public methods of every model the addon defines or extends are found by introspection (the
classes of this addon in each model's MRO, filtered by Odoo's own `get_public_method`), and each is
called over JSON-2 by every role with hostile arguments from Hypothesis: unknown keywords, NUL and
control characters, 10^6-character strings, 2^31 and 2^63, NaN and Infinity, nested lists, ids of
another company, dates in year 1 and 9999, `default_*` context keys. The answer is never HTTP 500,
and a refused call leaves every table of the addon (and the tables it writes in) unchanged.

A new model or method is checked without anyone listing it; `DOOR_EXEMPT` is the one place where a
method may be left out, with its reason.
"""

import contextlib
import inspect
import json
import math
import os
import re
from datetime import timedelta
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command, fields
from odoo.service.model import get_public_method
from odoo.tests import HttpCase, tagged

from .common import MANAGER, CallbackCase

MODULE = "insurance_claim_callback"
PREFIX = f"odoo.addons.{MODULE}"
GUARD_MODULE = f"{PREFIX}.models.input_guard"  # in every model's classes: not a door of its own
# (model, method) left out of the generic door test, with the reason.
DOOR_EXEMPT = {}
# Examples per method (all roles together); ICC_DOOR_EXAMPLES raises it for a deeper run.
EXAMPLES = int(os.environ.get("ICC_DOOR_EXAMPLES", "12"))
# Tables whose content a refused call must leave unchanged, beside the addon's own.
WATCHED_TABLES = ("helpdesk_ticket", "res_partner", "survey_user_input", "survey_user_input_line",
                  "mail_activity", "res_company", "res_users")

LONG = "x" * 1_000_000
hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 1, 5, 2**31, -(2**31) - 1, 2**63, -(2**63), 10**30]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, 1.5, -0.0]),
    st.sampled_from(["", "\x00", "a\x00b", "\x01\x1f\x7f", "好" * 50, LONG, "garbage",
                     "0001-01-01", "0001-01-01 00:00:00", "9999-12-31", "9999-12-31 23:59:59", "2026-13-45",
                     "phone", "sms", "reached", "no_answer", "call_back_later", "cancelled", "earn", "9"]),
    st.text(max_size=20),
)


def hostile_values(ids):
    """Hostile JSON values, `ids` being record ids worth trying (of this company and of another)."""
    scalars = st.one_of(hostile_scalars, st.sampled_from(ids))
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                st.dictionaries(st.sampled_from(["id", "name", "state", "x", "0"]), inner,
                                                max_size=3)),
        max_leaves=6,
    )


def addon_models(env):
    """The models this addon defines or extends (its ir.model.data), abstract ones left out."""
    data = env["ir.model.data"].sudo().search([("module", "=", MODULE), ("model", "=", "ir.model")])
    names = env["ir.model"].sudo().browse(data.mapped("res_id")).mapped("model")
    return sorted(name for name in names if name in env and not env[name]._abstract)


def addon_public_methods(env):
    """{(model, method): function} of every public method an addon class defines."""
    found = {}
    for name in addon_models(env):
        model = env[name]
        # create and write of every model of the addon are doors, whoever wrote them
        found.update({(name, method): getattr(type(model), method) for method in ("create", "write")})
        for cls in type(model).mro():
            if not cls.__module__.startswith(PREFIX) or cls.__module__ == GUARD_MODULE:
                continue
            for attr, value in vars(cls).items():
                if attr.startswith("_") or not callable(value) or (name, attr) in found:
                    continue
                with contextlib.suppress(AttributeError):
                    found[name, attr] = get_public_method(model, attr)
    return found


@tagged("post_install", "-at_install")
class TestEveryDoor(CallbackCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        claims = cls._closed_claims(2)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "in", claims.ids)])
        cls.callbacks = claims.callback_ids
        cls.callbacks.user_id = cls.agent_1
        claim_b = cls._claim(stage_id=cls.stage_done.id, company_id=cls.company_b.id, team_id=False,
                             claim_number="CLM-DOOR-B")
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "=", claim_b.id)])
        cls.callback_b = claim_b.callback_ids
        cls.integration = cls._user("icc_door_cti", "insurance_claim_callback.group_callback_integration",
                                    callback_capacity=0)
        cls.team.user_ids = [Command.link(cls.integration.id)]
        cls.manager_b = cls._user("icc_door_manager_b", MANAGER, company_id=cls.company_b.id,
                                  company_ids=[Command.set(cls.company_b.ids)])
        cls.survey_officer_b = cls._user("icc_door_survey_b", "base.group_user,survey.group_survey_user",
                                         company_id=cls.company_b.id, company_ids=[Command.set(cls.company_b.ids)])
        cls.roles = {
            user.login: cls.env["res.users.apikeys"].with_user(user)._generate(
                None, "door", fields.Datetime.now() + timedelta(days=1))
            for user in (cls.agent_1, cls.supervisor, cls.manager, cls.integration, cls.manager_b,
                         cls.survey_officer_b)
        }
        cls.record_ids = [*cls.callbacks.ids, cls.callback_b.id, cls.customer.id, cls.company.id,
                          cls.company_b.id, cls.agent_1.id, 0, 2**31]
        cls.tables = cls._watched_tables()

    @classmethod
    def _watched_tables(cls):
        tables = {cls.env[name]._table for name in addon_models(cls.env)
                  if cls.env[name]._auto and not cls.env[name]._transient}
        cls.env.cr.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        existing = {row[0] for row in cls.env.cr.fetchall()}
        relations = {field.relation for name in addon_models(cls.env) for field in cls.env[name]._fields.values()
                     if field.type == "many2many" and field.store and field.relation}
        return sorted((tables | relations | set(WATCHED_TABLES)) & existing)

    def _fingerprint(self):
        """One checksum per watched table: its rows, whole."""
        self.env.flush_all()
        parts = [f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
                 for table in self.tables]
        self.env.cr.execute(" UNION ALL ".join(parts))  # table names come from the registry
        return dict(self.env.cr.fetchall())

    @contextlib.contextmanager
    def _rolled_back(self):
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT door_example")
        try:
            yield
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT door_example")
            self.env.invalidate_all()

    def _post(self, path, body, key):
        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname,
                   "Authorization": f"bearer {key}"}
        return self.url_open(path, data=json.dumps(body, allow_nan=True), headers=headers, timeout=60)

    def _check_door(self, path, body, key):
        """Never a server error; a refusal writes nothing."""
        with self._rolled_back():
            before = self._fingerprint()
            response = self._post(path, body, key)
            self.assertLess(response.status_code, 500, f"{path} {str(body)[:300]}: {response.text[:500]}")
            if response.status_code >= 400:
                after = self._fingerprint()
                changed = sorted(table for table in before if before[table] != after[table])
                self.assertFalse(changed, f"{path} {str(body)[:300]} was refused but changed {changed}")

    def test_enumeration_finds_the_doors(self):
        """The enumeration itself: the stable service methods are among the doors found."""
        doors = addon_public_methods(self.env)
        for door in (("claim.callback", "register_attempt"), ("claim.callback", "register_result"),
                     ("claim.callback.kpi", "compute_month"), ("claim.callback.kpi", "forecast_month"),
                     ("claim.callback.log.call", "action_confirm"), ("survey.user_input", "create")):
            self.assertIn(door, doors)
        self.assertFalse(set(DOOR_EXEMPT) - set(doors), "an exemption names a door that no longer exists")

    def test_every_public_method_answers_4xx_never_500(self):
        for (model, method), func in sorted(addon_public_methods(self.env).items()):
            if (model, method) in DOOR_EXEMPT:
                continue
            with self.subTest(door=f"{model}.{method}"):
                self._try_door(model, method, func)

    def _addon_routes(self):
        """{url pattern: rule} of every route an addon controller defines, from Odoo's routing map."""
        routes = {}
        for rule in self.env["ir.http"].routing_map().iter_rules():
            endpoint = getattr(rule.endpoint, "original_endpoint", rule.endpoint)
            if getattr(endpoint, "__module__", "").startswith(PREFIX):
                routes[rule.rule] = rule
        return routes

    def test_every_route_answers_4xx_never_500(self):
        routes = self._addon_routes()
        self.assertIn("/claim_callback/cti/<string:vendor>", routes, "the enumeration finds the routes")
        segment = st.one_of(st.sampled_from(["0", "1", "-1", str(2**31), str(2**63), "generic", "x" * 300, "%00",
                                              str(self.callbacks[0].id), str(self.callback_b.id)]),
                            st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#\x00"),
                                    min_size=1, max_size=12).filter(lambda t: t not in (".", "..")))
        body = hostile_values(self.record_ids)
        for pattern in sorted(routes):
            with self.subTest(route=pattern):
                self._try_route(pattern, segment, body)

    def _try_route(self, pattern, segment, body):
        @settings(max_examples=EXAMPLES * 2, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def call(data):
            path = re.sub(r"<(?:\w+:)?(\w+)>", lambda _m: quote(data.draw(segment), safe=""), pattern)
            key = data.draw(st.sampled_from([None, *sorted(self.roles)]), label="role")
            headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname}
            if key:
                headers["Authorization"] = f"bearer {self.roles[key]}"
            payload = json.dumps(data.draw(body, label="body"), allow_nan=True)
            method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
            with self._rolled_back():
                before = self._fingerprint()
                response = self.opener.request(method, self.base_url() + path, data=payload, headers=headers,
                                               timeout=60, allow_redirects=False)
                self.assertLess(response.status_code, 500, f"{method} {path} {payload[:200]}: {response.text[:300]}")
                if response.status_code >= 400:
                    self.assertEqual(self._fingerprint(), before, f"{method} {path} was refused but wrote")

        call()

    def _try_door(self, model, method, func):
        params = [p for p in list(inspect.signature(func).parameters.values())[1:]
                  if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        values = hostile_values(self.record_ids)
        record_ids = self.env[model].sudo().search([], limit=2).ids if self.env[model]._auto else []
        ids = st.sampled_from([[], [0], [2**31], [self.callback_b.id], [*record_ids[:1]], record_ids, self.record_ids])
        field_names = sorted(self.env[model]._fields)
        # "lang" and "tz" are read by Odoo's environment before any code of this addon runs (a list there breaks
        # every model of Odoo alike): they get real values; the addon's own context keys get hostile ones
        context = st.one_of(st.just({}), st.dictionaries(
            st.sampled_from([f"default_{name}" for name in field_names] + ["active_test"]), values, max_size=3),
            st.fixed_dictionaries({"lang": st.sampled_from(["en_US", "zh_TW", "xx_XX"]),
                                   "tz": st.sampled_from(["Asia/Taipei", "Mars/Base"])}))
        api_model = hasattr(func, "_api_model")

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def call(data):
            role = data.draw(st.sampled_from(sorted(self.roles)), label="role")
            body = {"context": data.draw(context, label="context")}
            if not api_model:
                body["ids"] = data.draw(ids, label="ids")
            for param in params:
                if param.default is param.empty or data.draw(st.booleans()):
                    body[param.name] = data.draw(values, label=param.name)
            if data.draw(st.booleans(), label="unknown keyword"):
                body[data.draw(st.sampled_from(["state", "satisfaction", "x", "company_id"]))] = data.draw(values)
            self._check_door(f"/json/2/{model}/{method}", body, self.roles[role])

        call()


# (model, field) whose default from the context may differ from its explicit value, with the reason.
DEFAULT_EXEMPT = {}
MAIL_FIELDS = ("message_", "activity_", "website_message", "rating_")


@tagged("post_install", "-at_install")
class TestContextDefaults(CallbackCase):
    """`default_<field>` in the context reaches `create` for every field: whatever a role may not give a
    field explicitly, it may not give it as a default either (same refusal, or the same stored value)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        claims = cls._closed_claims(2)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "in", claims.ids)])
        cls.callback = claims.callback_ids[0]
        cls.callback.user_id = cls.agent_1
        cls.integration = cls._user("icc_default_cti", "insurance_claim_callback.group_callback_integration",
                                    callback_capacity=0)
        cls.team.user_ids = [Command.link(cls.integration.id)]
        cls.env["claim.reward.entry"].create({"partner_id": cls.customer.id, "kind": "adjust", "points": 5,
                                              "reason": "sample"})
        cls.env["claim.callback.log.call"].create({"callback_id": cls.callback.id})
        cls.env["claim.callback.outcome"].create({"callback_id": cls.callback.id, "satisfaction": "4"})
        cls.env["claim.callback.kpi"].compute_month(fields.Date.today(), cls.company)
        outcome = cls.env["claim.callback.outcome"].search([], limit=1)
        cls.env["claim.callback.outcome.issue"].create({"wizard_id": outcome.id, "name": "sample"})
        cls.env["claim.partner.redeem"].create({"partner_id": cls.customer.id, "points": 1, "reason": "sample"})
        cls.env["claim.reward.adjust"].create({"partner_id": cls.customer.id, "points": 1, "reason": "sample"})
        cls.env["claim.reward.rule"].create({"name": "Sample", "event": "feedback_given", "points": 1})
        rule = cls.env["claim.sla.rule"].create({"name": "Sample"})
        cls.env["claim.sla.rule.preview"].create({"rule_id": rule.id})
        script = cls.env["claim.callback.script"].create({"name": "Sample", "body": "Hi"})
        cls.env["claim.callback.script.experiment"].create({
            "name": "Sample", "variant_ids": [Command.create({"script_id": script.id, "share": 50})]})
        cls.survey_officer = cls._user("icc_default_survey", "base.group_user,survey.group_survey_user")
        cls.env.ref("insurance_claim_callback.survey_callback")._create_answer(partner=cls.customer)

    def _sample(self, model):
        records = self.env[model].sudo().search([], limit=1, order="id desc")
        return records

    def _forged_value(self, field, current):
        """A value of the field's type that differs from `current`."""
        kind = field.type
        if kind == "selection":
            keys = [key for key, _label in field._description_selection(self.env) if key != current]
            return keys[-1] if keys else None
        if kind == "many2one":
            other = self.env[field.comodel_name].sudo().search([("id", "!=", current.id)], limit=1,
                                                               order="id desc")
            return other.id or None
        return {"char": "FORGED", "text": "FORGED", "html": "<p>FORGED</p>", "integer": 7, "float": 7.5,
                "monetary": 7.5, "boolean": not current, "date": "2030-01-02",
                "datetime": "2030-01-02 03:04:05"}.get(kind)

    def _create_as(self, user, model, vals, context=None, name=None):
        """(True, the stored value of field `name`) or (False, the error); rolled back either way."""
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT default_probe")
        try:
            record = self.env[model].with_user(user).with_context(**(context or {})).create(vals)
            record.env.flush_all()
            if not name:
                return True, None
            record = record.sudo()
            return True, record._fields[name].convert_to_read(record[name], record, use_display_name=False)
        except Exception as error:  # noqa: BLE001 (any refusal counts; a 500 is the door test's business)
            return False, error
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT default_probe")
            self.env.invalidate_all()

    def test_a_default_never_sets_what_the_explicit_value_cannot(self):
        roles = (self.agent_1, self.supervisor, self.manager, self.integration, self.survey_officer)
        for model in addon_models(self.env):
            Model = self.env[model]
            creators = [user for user in roles if Model.with_user(user).has_access("create")]
            if not creators or not Model._auto:
                continue
            sample = self._sample(model)
            with self.subTest(model=model):
                self.assertTrue(sample, f"{model}: the test needs a sample record (see setUpClass)")
            if not sample:
                continue
            required = {name: value for name, value in sample.copy_data()[0].items()
                        if Model._fields[name].required}
            for user in creators:
                base_ok, _base = self._create_as(user, model, required)
                if not base_ok:
                    continue  # this role cannot create this record at all: no default can help it
                for name, field in Model._fields.items():
                    if (not field.store or name in required or name.startswith(MAIL_FIELDS) or field.type in (
                            "one2many", "many2many", "binary", "properties", "json") or name in models_magic()
                            or (model, name) in DEFAULT_EXEMPT):
                        continue
                    forged = self._forged_value(field, sample[name])
                    if forged is None:
                        continue
                    with self.subTest(model=model, field=name, user=user.login):
                        self._check_default(user, model, required, name, forged)

    def _check_default(self, user, model, required, name, forged):
        explicit_ok, explicit = self._create_as(user, model, {**required, name: forged}, name=name)
        default_ok, by_default = self._create_as(user, model, required, {f"default_{name}": forged}, name=name)
        if not default_ok:
            return
        self.assertTrue(explicit_ok, f"{model}.{name} is refused explicitly ({explicit}) but set through "
                                     f"default_{name}")
        self.assertEqual(by_default, explicit, f"{model}.{name}: default_{name} stores what the explicit value does not")


def models_magic():
    return ("id", "create_uid", "create_date", "write_uid", "write_date", "display_name")
