"""Company isolation by construction (README: Security and privacy).

The models are those the addon defines or extends, read from `ir.model.data`, not a hand list.
Each model that carries company data (a `company_id`, or a required Many2one / a Many2one the
addon adds to such a model) gets a record in company B, made by its `_make_<model>` factory below,
and no user of company A (agent, supervisor, manager, survey officer) may find, read, group,
export or write it. A model without a factory fails the test unless ISOLATION_EXEMPT names it with
its reason. Every wizard refuses to be created or opened (defaults, onchange) on a record its user
cannot read, through each of its Many2one fields."""

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.models import LOG_ACCESS_COLUMNS
from odoo.tests import tagged

from .common import CallbackCase

MODULE = "insurance_claim_callback"
SURVEY_OFFICER = "survey.group_survey_user"

# The only models of the addon that carry company data and are not isolated by company, each with its reason.
ISOLATION_EXEMPT = {
    "res.users": "Odoo's own rule shows every internal user to every internal user (assignment, mentions); "
    "the addon adds only the callback capacity, a number without customer data, and the teams the user supervises, "
    "computed from helpdesk_mgmt's own team fields.",
}

# The fields the addon adds to a model whose records companies share (no or an optional company),
# stored alike for every company: each with its reason. Any other must be company-dependent.
SHARED_FIELDS_EXEMPT = {
    ("res.partner", "callback_consent"): "The customer's own Do Not Contact choice: it binds every company "
    "that holds their data (the stricter reading).",
    ("res.partner", "callback_opted_out"): "Derived from the Do Not Contact choice and Odoo's blacklists, "
    "which are shared by design.",
    ("res.partner", "claim_callback_ids"): "A One2many: nothing is stored on the customer, each callback carries its "
    "company and is read under the callback rules (the customer 360's record rules follow it).",
}


def addon_models(env):
    model_ids = env["ir.model.data"].search([("module", "=", MODULE), ("model", "=", "ir.model")]).mapped("res_id")
    names = env["ir.model"].browse(model_ids).mapped("model")
    return sorted(n for n in names if n in env and not env[n]._abstract)


def _carries_company_data(env, name, seen=()):
    Model = env[name]
    if "company_id" in Model._fields:
        return True
    return any(
        field.type == "many2one" and field.store and field.comodel_name not in seen
        and field.name not in LOG_ACCESS_COLUMNS and (field.required or field._module == MODULE)
        and _carries_company_data(env, field.comodel_name, (*seen, name))
        for field in Model._fields.values()
    )


def company_models(env):
    """The addon's models that carry company data."""
    return [name for name in addon_models(env) if _carries_company_data(env, name)]


class CompanyRecordCase(CallbackCase):
    """One record of any model of the addon in a given company, made as superuser by the model's
    `_make_<model>` factory (shared with tests/test_bounds_generic.py)."""

    def setUp(self):
        super().setUp()
        self.made = {}

    def _record(self, model, company):
        """The (memoized) record of `model` in `company`."""
        key = (model, company.id)
        if key not in self.made:
            factory = getattr(self, "_make_" + model.replace(".", "_"))
            self.made[key] = factory(company).sudo().with_company(company)
            self.assertTrue(self.made[key], f"the factory of {model} made nothing")
        return self.made[key]

    def _has_factory(self, model):
        return hasattr(self, "_make_" + model.replace(".", "_"))

    def _values_of(self, wizard):
        """The values a wizard of company A was made with, to make it again as a user."""
        return {
            name: field.convert_to_write(wizard[name], wizard)
            for name, field in wizard._fields.items()
            if field.store and not field.compute and not field.related and field.type not in ("one2many", "many2many")
            and name not in ("id", "create_uid", "write_uid", "create_date", "write_date")
        }

    # ------------------------------------------------------------------
    # Factories: one record of each model in a company, as superuser
    # ------------------------------------------------------------------

    def _make_helpdesk_ticket(self, company):
        if company == self.company:
            return self._claim(stage_id=self.stage_done.id)
        return self._claim(stage_id=self.stage_done.id, company_id=company.id, team_id=False)

    def _make_helpdesk_ticket_team(self, company):
        return self.env["helpdesk.ticket.team"].create({"name": f"Team of {company.name}", "company_id": company.id})

    def _make_claim_callback(self, company):
        ticket = self._record("helpdesk.ticket", company)
        self.env["claim.callback"]._schedule_first_callbacks(10, [("id", "=", ticket.id)])
        return ticket.callback_ids[:1]

    def _done_callback(self, company):
        key = ("done callback", company.id)
        if key not in self.made:
            ticket = self._claim(stage_id=self.stage_done.id, company_id=company.id,
                                 team_id=self.team.id if company == self.company else False)
            self.env["claim.callback"]._schedule_first_callbacks(10, [("id", "=", ticket.id)])
            callback = ticket.callback_ids[:1]
            callback.register_result(2, feedback="The payout was very slow and nobody called me back.")
            if not callback.topic_ids:
                callback.topic_ids = [Command.link(self._record("claim.feedback.topic", company).id)]
            self.made[key] = callback
        return self.made[key]

    def _make_claim_callback_attempt(self, company):
        return self._record("claim.callback", company)._register_attempt("phone", "busy")

    def _make_claim_callback_attempt_hour(self, company):
        attempt = self._record("claim.callback.attempt", company)
        self.env["claim.callback.attempt.hour"]._refresh()
        return self.env["claim.callback.attempt.hour"].search(
            [("company_id", "=", company.id), ("hour", "=", attempt.date.replace(minute=0, second=0))], limit=1
        )

    def _make_claim_callback_topic_day(self, company):
        self._done_callback(company)
        self.env["claim.callback.topic.day"]._refresh()
        return self.env["claim.callback.topic.day"].search([("company_id", "=", company.id)], limit=1)
    def _make_claim_callback_reach(self, company):
        self._record("claim.callback.attempt", company)  # a phone call is counted for its customer
        self.env.flush_all()
        return self.env["claim.callback.reach"].search([("company_id", "=", company.id)], limit=1)

    def _make_claim_callback_analysis(self, company):
        callback = self._done_callback(company)
        self.env.flush_all()
        return self.env["claim.callback.analysis"].search([("callback_id", "=", callback.id)], limit=1)

    def _make_claim_callback_topic_analysis(self, company):
        callback = self._done_callback(company)
        self.env.flush_all()
        return self.env["claim.callback.topic.analysis"].search([("callback_id", "=", callback.id)], limit=1)

    def _make_claim_callback_kpi(self, company):
        callback = self._done_callback(company)  # a rated callback: the month's KPIs are defined
        return self.env["claim.callback.kpi"].compute_month(callback.completed_date, company)

    def _make_claim_callback_evaluation(self, company):
        callback = self._done_callback(company)
        if not callback.user_id:
            callback.user_id = self._user(f"icc_iso_agent_{company.id}", "insurance_claim_callback.group_callback_agent",
                                          company_id=company.id)
        return self.env["claim.callback.evaluation"].create(
            {"callback_id": callback.id, "user_id": callback.user_id.id, "company_id": company.id,
             "team_id": callback.team_id.id, "reason": "manual"})

    def _make_claim_callback_agent_month(self, company):
        callback = self._done_callback(company)  # its agent's month has a row
        if not callback.user_id:
            callback.user_id = self._user(f"icc_iso_agent_{company.id}", "insurance_claim_callback.group_callback_agent",
                                          company_id=company.id)
        rows = self.env["claim.callback.agent.month"].compute_month(callback.sla_start_date, company)
        return rows.filtered(lambda row: row.user_id == callback.user_id)[:1] or rows[:1]

    def _make_claim_callback_kpi_line(self, company):
        # a complete month: the month to date has no line (KPI Trends leaves it out)
        kpi = self.env["claim.callback.kpi"].create({
            "month": fields.Date.today().replace(day=1) - relativedelta(months=1), "company_id": company.id,
            "contactable_claims": 10, "coverage_72h": 80.0,
        })
        self.env.flush_all()
        return self.env["claim.callback.kpi.line"].search([("kpi_id", "=", kpi.id)], limit=1)

    def _make_claim_callback_channel(self, company):
        return self.env["claim.callback.channel"].create(
            {"name": f"SMS {company.name}", "code": "sms", "company_id": company.id}
        )

    def _make_claim_callback_script(self, company):
        return self.env["claim.callback.script"].create(
            {"name": f"Script {company.name}", "body": "Hello", "company_id": company.id}
        )

    def _make_claim_callback_script_question(self, company):
        return self.env["claim.callback.script.question"].create(
            {"script_id": self._record("claim.callback.script", company).id, "name": "How was it?",
             "question_type": "rating"}
        )

    def _make_claim_callback_script_choice(self, company):
        question = self._record("claim.callback.script.question", company)
        question._sync_choice_ids()
        return question.choice_ids[:1]

    def _make_claim_callback_script_experiment(self, company):
        # scripts of its own: a running experiment freezes its scripts, which other factories' records may not be
        scripts = self.env["claim.callback.script"].create(
            [{"name": f"Variant {i} {company.name}", "body": "Hello", "company_id": company.id} for i in (1, 2)]
        )
        return self.env["claim.callback.script.experiment"].create({
            "name": f"Experiment {company.name}", "company_id": company.id,
            "variant_ids": [Command.create({"script_id": script.id, "share": 50}) for script in scripts],
        })

    def _make_claim_callback_script_variant(self, company):
        return self._record("claim.callback.script.experiment", company).variant_ids[:1]

    def _make_claim_callback_script_experiment_analysis(self, company):
        experiment = self._record("claim.callback.script.experiment", company)
        experiment.action_start()
        callback = self._done_callback(company)
        callback.script_variant_id = experiment.variant_ids[:1]
        self.env.flush_all()
        return self.env["claim.callback.script.experiment.analysis"].search([("callback_id", "=", callback.id)])

    def _make_claim_category(self, company):
        return self.env["claim.category"].create(
            {"name": f"Category {company.name}", "code": f"cat_{company.id}", "company_id": company.id}
        )

    def _make_claim_feedback_topic(self, company):
        vals = {"name": f"Topic {company.name}", "code": f"topic_{company.id}", "keywords": "zebra"}
        if "company_id" in self.env["claim.feedback.topic"]._fields:
            vals["company_id"] = company.id
        return self.env["claim.feedback.topic"].create(vals)

    def _make_claim_reward_entry(self, company):
        return self.env["claim.reward.entry"].with_company(company).create(
            {"partner_id": self._record("res.partner", company).id, "company_id": company.id, "kind": "adjust",
             "points": 5, "reason": "goodwill"}
        )

    def _make_claim_reward_rule(self, company):
        return self.env["claim.reward.rule"].create(
            {"name": f"Rule {company.name}", "event": "survey_completed", "points": 5, "company_id": company.id}
        )

    def _make_claim_risk_warning(self, company):
        return self.env["claim.risk.warning"].create(
            {"kind": "capacity_shortage", "company_id": company.id, "value": 120, "threshold": 90}
        )

    def _make_claim_sla_rule(self, company):
        return self.env["claim.sla.rule"].create({"name": f"SLA {company.name}", "company_id": company.id})

    def _make_res_company(self, company):
        return company

    def _make_res_partner(self, company):
        return self.env["res.partner"].create({"name": f"Customer of {company.name}", "company_id": company.id})

    def _make_res_config_settings(self, company):
        return self.env["res.config.settings"].with_company(company).create({})

    def _make_res_users(self, company):
        return self._user(f"icc_factory_{company.id}", "insurance_claim_callback.group_callback_agent",
                          company_id=company.id, company_ids=[Command.set(company.ids)])

    def _make_survey_user_input(self, company):
        return self._record("claim.callback", company)._get_survey_answer()

    def _make_claim_callback_log_call(self, company):
        return self.env["claim.callback.log.call"].create({"callback_id": self._record("claim.callback", company).id})

    def _make_claim_callback_outcome(self, company):
        return self.env["claim.callback.outcome"].create(
            {"callback_id": self._record("claim.callback", company).id, "satisfaction": "4"}
        )

    def _make_claim_callback_outcome_issue(self, company):
        return self.env["claim.callback.outcome.issue"].create(
            {"wizard_id": self._record("claim.callback.outcome", company).id, "name": "Late payment"}
        )

    def _make_claim_callback_outcome_answer(self, company):
        return self.env["claim.callback.outcome.answer"].create(
            {"wizard_id": self._record("claim.callback.outcome", company).id,
             "question_id": self._record("claim.callback.script.question", company).id}
        )

    def _make_claim_partner_redeem(self, company):
        return self.env["claim.partner.redeem"].create(
            {"partner_id": self._record("res.partner", company).id, "points": 1, "reason": "Voucher"}
        )

    def _make_claim_reward_adjust(self, company):
        return self.env["claim.reward.adjust"].create(
            {"partner_id": self._record("res.partner", company).id, "company_id": company.id, "points": 1,
             "reason": "Goodwill"}
        )

    def _make_claim_sla_rule_preview(self, company):
        return self.env["claim.sla.rule.preview"].create(
            {"rule_id": self._record("claim.sla.rule", company).id,
             "ticket_id": self._record("helpdesk.ticket", company).id}
        )


@tagged("post_install", "-at_install")
class TestCompanyIsolation(CompanyRecordCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey_officer = cls._user("icc_survey_a", f"base.group_user,{SURVEY_OFFICER}")
        cls.users_a = cls.agent_1 | cls.supervisor | cls.manager | cls.survey_officer
        cls.users_a.group_ids |= cls.env.ref("base.group_allow_export")

    # ------------------------------------------------------------------
    # The checks
    # ------------------------------------------------------------------

    def test_every_company_model_has_a_factory_or_a_reasoned_exemption(self):
        models = company_models(self.env)
        self.assertIn("claim.callback", models)
        self.assertIn("claim.callback.log.call", models)
        missing = [m for m in models if not self._has_factory(m) and m not in ISOLATION_EXEMPT]
        self.assertFalse(missing, "models carrying company data without a factory here or an exemption")
        stale = [m for m in ISOLATION_EXEMPT if m not in models]
        self.assertFalse(stale, "exemptions of models that no longer carry company data")

    def test_users_of_company_a_cannot_reach_records_of_company_b(self):
        for model in company_models(self.env):
            if model in ISOLATION_EXEMPT:
                continue
            record = self._record(model, self.company_b)
            fname = self._probe_field(record)
            for user in self.users_a:
                with self.subTest(model=model, user=user.login):
                    self._assert_unreachable(record, fname, user)

    def test_wizards_refuse_records_their_user_cannot_read(self):
        models = company_models(self.env)
        for model in models:
            if not self.env[model]._transient or model in ISOLATION_EXEMPT:
                continue
            own = self._record(model, self.company)
            probes = [
                name for name, field in own._fields.items()
                if field.type == "many2one" and field.store and name not in LOG_ACCESS_COLUMNS
                and field.comodel_name in models and self._has_factory(field.comodel_name)
            ]
            self.assertTrue(probes, f"{model}: no Many2one to probe")
            for user in self.users_a:
                Wizard = self.env[model].with_user(user)
                vals = self._user_values(model, user)
                if vals is not None:  # the refusals below mean something: company A's own data is accepted
                    Wizard.create(vals)
                for name in probes:
                    foreign = self._record(own._fields[name].comodel_name, self.company_b)
                    with self.subTest(model=model, field=name, user=user.login):
                        forged = {**(vals or self._values_of(own)), name: foreign.id}
                        with self.assertRaises(AccessError):
                            Wizard.create(forged)
                        with self.assertRaises(AccessError):
                            Wizard.with_context(**{f"default_{name}": foreign.id}).onchange({}, [], self._spec(Wizard))
                        with self.assertRaises(AccessError):
                            Wizard.onchange(forged, [name], self._spec(Wizard))

    def test_addon_fields_on_shared_records_are_per_company(self):
        """A record companies share (e.g. a customer without a company) must not show one company
        what another stored on it: the addon's stored fields on such a model are company-dependent."""
        for model in addon_models(self.env):
            Model = self.env[model]
            company = Model._fields.get("company_id")
            if Model._original_module == MODULE or Model._transient or not company or company.required:
                continue  # the addon's own models: a record without a company is shared configuration
            for field in Model._fields.values():
                if field._module == MODULE and field.store and not field.company_dependent:
                    with self.subTest(model=model, field=field.name):
                        self.assertIn((model, field.name), SHARED_FIELDS_EXEMPT,
                                      "stored alike for every company on records companies share")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _probe_field(self, record):
        """A stored field to read, export and write back unchanged."""
        if "company_id" in record._fields and record._fields["company_id"].store:
            return "company_id"
        return next(
            name for name, field in record._fields.items()
            if field.store and name != "id" and field.type not in ("one2many", "many2many", "binary")
        )

    def _assert_unreachable(self, record, fname, user):
        Model = self.env[record._name].with_user(user).with_context(active_test=False)
        domain = [("id", "=", record.id)]
        try:
            found = Model.search(domain)
        except AccessError:
            found = Model.browse()
        self.assertFalse(found, "found by search")
        try:
            groups = Model.formatted_read_group(domain, [], ["__count"])
        except AccessError:
            groups = [{"__count": 0}]
        self.assertEqual(groups[0]["__count"], 0, "counted by read_group")
        mine = Model.browse(record.id)
        with self.assertRaises(AccessError):
            mine.read([fname])
        with self.assertRaises(AccessError):
            mine.export_data([fname])
        with self.assertRaises(AccessError):
            mine.check_access("write")
        value = record._fields[fname].convert_to_write(record[fname], record)
        try:
            mine.write({fname: value})
            mine.flush_recordset()
            written = True
        except (AccessError, UserError):  # refused by the rules, or for everyone (e.g. the ledger)
            written = False
        self.assertFalse(written, "written")

    def _user_values(self, model, user):
        """Values for `user` to make the wizard on company A's data (its parent wizards made by them),
        None when the user may not make it."""
        if not self.env[model].with_user(user).has_access("create"):
            return None
        vals = self._values_of(self._record(model, self.company))
        for name, value in vals.items():
            comodel = self.env[model]._fields[name].comodel_name
            if value and comodel and self.env[comodel]._transient:
                parent = self._user_values(comodel, user)
                if parent is None:
                    return None
                vals[name] = self.env[comodel].with_user(user).create(parent).id
        return vals

    def _spec(self, Model):
        return {name: {} for name, field in Model._fields.items() if field.type not in ("one2many", "many2many")}


@tagged("post_install", "-at_install")
class TestWizardOwnership(CallbackCase):
    """Finding 2 of issue #19: a wizard was a window on records its user could not read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # another customer: an agent also reads the callbacks of the customers they call back (TestCustomer360)
        claims = cls._closed_claims(1) | cls._claim(
            stage_id=cls.stage_done.id, team_id=cls.other_team.id, partner_id=cls._brussels_customer().id
        )
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "in", claims.ids)])
        cls.mine, cls.other_teams = claims.callback_ids.sorted("id")
        cls.mine.user_id = cls.agent_1

    def test_agent_cannot_open_log_call_on_another_teams_callback(self):
        LogCall = self.env["claim.callback.log.call"].with_user(self.agent_1)
        with self.assertRaises(AccessError):
            LogCall.create({"callback_id": self.other_teams.id})
        with self.assertRaises(AccessError):
            LogCall.with_context(default_callback_id=self.other_teams.id).onchange(
                {}, [], {"callback_id": {}, "partner_id": {}, "customer_tz": {}}
            )
        wizard = LogCall.create({"callback_id": self.mine.id})
        self.assertEqual(wizard.partner_id, self.customer)
        with self.assertRaises(AccessError):
            wizard.write({"callback_id": self.other_teams.id})

    def test_a_wizard_is_its_users_own(self):
        wizard = self.env["claim.callback.outcome"].with_user(self.agent_1).create(
            {"callback_id": self.mine.id, "satisfaction": "2", "feedback": "My neighbour's claim was faster."}
        )
        Outcome = self.env["claim.callback.outcome"].with_user(self.agent_2)
        self.assertFalse(Outcome.search([]))
        with self.assertRaises(AccessError):
            Outcome.browse(wizard.id).read(["feedback"])
        with self.assertRaises(AccessError):
            Outcome.browse(wizard.id).write({"satisfaction": "5"})
