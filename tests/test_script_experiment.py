import random
from collections import Counter

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..lib import experiment as experiment_lib
from .common import CallbackCase

NO_MAIL = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
# Per variant: satisfaction, NPS and phone seconds of each completed callback, complaints, unreachable callbacks.
CONTROL = {
    "satisfaction": [5, 5, 4, 4, 4, 4, 3, 3, 2, 2, 1, 1],
    "nps": [10, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    "seconds": [60, 90, 120, 150, 180, 210, 240, 270, 300, 330, 360, 390],
    "complaints": 2,
    "unreachable": 3,
}
CHALLENGER = {
    "satisfaction": [5] * 6 + [4] * 5 + [2],
    "nps": [10] * 6 + [9] * 2 + [8] * 2 + [7, 3],
    "seconds": [60, 60, 90, 90, 90, 120, 120, 120, 150, 150, 180, 180],
    "complaints": 0,
    "unreachable": 2,
}


@tagged("post_install", "-at_install")
class TestScriptExperiment(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.callback_chain_limit = 1  # no follow-ups: each claim has its one callback
        Script = cls.env["claim.callback.script"]
        cls.long_opening = Script.create({"name": "Routine, long opening", "body": "Hello {{customer_name}}, ...",
                                          "claim_category_id": cls.routine.id, "company_id": cls.company.id})
        cls.short_opening = Script.create({"name": "Routine, short opening", "body": "Hi {{customer_name}}",
                                           "claim_category_id": cls.routine.id, "company_id": cls.company.id})
        cls.agent_1.callback_capacity = 10**6

    def _experiment(self, user=None, shares=(50, 50), scripts=None, **vals):
        scripts = scripts or (self.long_opening, self.short_opening)
        return self.env["claim.callback.script.experiment"].with_user(user or self.supervisor).create({
            "name": "Opening length",
            "variant_ids": [Command.create({"script_id": script.id, "share": share, "sequence": i})
                            for i, (script, share) in enumerate(zip(scripts, shares, strict=True))],
            **vals,
        })

    def _claims(self, count, **vals):
        seq = self._claim_seq
        type(self)._claim_seq += count
        return self.env["helpdesk.ticket"].with_context(**NO_MAIL).create([
            {"name": f"Claim {seq + i}", "description": "Settled claim", "is_claim": True,
             "claim_number": f"CLM-X-{seq + i:05d}", "claim_category_id": self.routine.id, "claim_amount": 1000, "paid_amount": 800,
             "partner_id": self.customer.id, "team_id": self.team.id, "stage_id": self.stage_done.id, **vals}
            for i in range(count)
        ])

    def _callbacks(self, count):
        claims = self._claims(count)
        self._schedule(claims)
        return claims.callback_ids

    def _play(self, variant, outcomes):
        """Callbacks of `variant` with the given results (set on the claims' callbacks as the system)."""
        done = len(outcomes["satisfaction"])
        callbacks = self._callbacks(done + outcomes["unreachable"])
        callbacks.sudo().script_variant_id = variant
        for i, callback in enumerate(callbacks[:done]):
            callback._register_attempt("phone", "reached", outcomes["seconds"][i])
            issues = [{"name": "Rude agent", "is_complaint": True}] if i < outcomes["complaints"] else None
            callback.register_result(outcomes["satisfaction"][i], nps=outcomes["nps"][i], issues=issues)
        callbacks[done:].sudo().state = "unreachable"
        return callbacks

    # ------------------------------------------------------------------
    # Assignment
    # ------------------------------------------------------------------

    def test_callbacks_get_a_stable_variant_close_to_the_shares(self):
        experiment = self._experiment(shares=(70, 30))
        experiment.with_user(self.supervisor).action_start()
        callbacks = self._callbacks(600)
        control, challenger = experiment.variant_ids
        counts = Counter(callback.script_variant_id for callback in callbacks)
        self.assertEqual(counts[control] + counts[challenger], 600, "every callback of the segment has a variant")
        # 600 draws at 70 %: standard deviation 1.9 points; 4 of them allowed
        self.assertAlmostEqual(100 * counts[control] / 600, 70, delta=7.5)
        for callback in callbacks:
            index = experiment_lib.variant_index(experiment.id, callback.ticket_id.id, [70, 30])
            self.assertEqual(callback.script_variant_id, experiment.variant_ids[index])
            self.assertEqual(callback.script_id, callback.script_variant_id.script_id)
        # the same values again (a rerun, another batch) give the same variants
        vals_list = [{"ticket_id": c.ticket_id.id, "company_id": c.company_id.id} for c in callbacks[:50]]
        self.env["claim.callback"]._add_script_variant_vals(vals_list)
        self.assertEqual([vals["script_variant_id"] for vals in vals_list],
                         [callback.script_variant_id.id for callback in callbacks[:50]])

    def test_claims_of_other_segments_and_companies_get_no_variant(self):
        self._experiment().with_user(self.supervisor).action_start()
        major = self.env.ref("insurance_claim_callback.claim_category_major")
        other_category = self._claims(3, claim_category_id=major.id)
        other_company = self._claims(3, company_id=self.company_b.id, team_id=False)
        self._schedule(other_category | other_company)
        callbacks = (other_category | other_company).callback_ids
        self.assertEqual(len(callbacks), 6)
        self.assertFalse(callbacks.script_variant_id)

    def test_agent_sees_the_variant_script_only(self):
        experiment = self._experiment(shares=(1, 99))
        experiment.with_user(self.supervisor).action_start()
        callbacks = self._callbacks(20)
        callbacks.sudo().user_id = self.agent_1
        challenger_callbacks = callbacks.filtered(lambda c: c.script_variant_id == experiment.variant_ids[1])
        self.assertTrue(challenger_callbacks)
        as_agent = challenger_callbacks[0].with_user(self.agent_1)
        self.assertEqual(as_agent.script_id, self.short_opening)
        self.assertIn("Hi Chen Mei-Ling", as_agent.script_body)
        with self.assertRaises(AccessError):
            as_agent.read(["script_variant_id"])
        with self.assertRaises(AccessError):
            experiment.with_user(self.agent_1).read(["name"])
        with self.assertRaises(AccessError):
            self.env["claim.callback.script.experiment.analysis"].with_user(self.agent_1).search([])

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    def test_figures_and_intervals_match_hand_computed_values(self):
        experiment = self._experiment(min_completed=10)
        experiment.with_user(self.supervisor).action_start()
        control, challenger = experiment.variant_ids
        self._play(control, CONTROL)
        self._play(challenger, CHALLENGER)
        control, challenger = experiment.with_user(self.supervisor).variant_ids
        self.assertEqual((control.callback_count, control.completed_count), (15, 12))
        self.assertEqual((challenger.callback_count, challenger.completed_count), (14, 12))
        self.assertAlmostEqual(control.completion_rate, 80.0)
        self.assertAlmostEqual(challenger.completion_rate, 100 * 12 / 14, delta=0.05)
        self.assertAlmostEqual(control.satisfaction_rate, 50.0)
        self.assertAlmostEqual(challenger.satisfaction_rate, 100 * 11 / 12, delta=0.05)
        self.assertAlmostEqual(control.nps, -100 / 3, delta=0.05)  # 3 promoters, 7 detractors of 12
        self.assertAlmostEqual(challenger.nps, 175 / 3, delta=0.05)  # 8 promoters, 1 detractor of 12
        self.assertAlmostEqual(control.call_minutes, 3.75, delta=0.05)
        self.assertAlmostEqual(challenger.call_minutes, 23.5 / 12, delta=0.05)
        self.assertEqual((control.complaint_count, challenger.complaint_count), (2, 0))
        self.assertFalse(control.satisfaction_vs_control, "the control is not compared with itself")
        # Newcombe (method 10) and Welch, as statsmodels' confint_proportions_2indep(method="newcomb") and
        # scipy's ttest_ind(equal_var=False).confidence_interval() give them
        self.assertEqual(challenger.satisfaction_vs_control, "+41.7 (+5.1 to +67.2)")
        self.assertEqual(challenger.completion_vs_control, "+5.7 (-23.0 to +32.9)")
        self.assertEqual(challenger.complaint_vs_control, "-16.7 (-44.8 to +10.4)")
        self.assertEqual(challenger.nps_vs_control, "+91.7 (+24.8 to +158.5)")
        self.assertEqual(challenger.minutes_vs_control, "-1.8 (-3.0 to -0.6)")
        self.assertEqual(
            experiment.with_user(self.supervisor).verdict,
            "B: Routine, short opening leads: +41.7 pts satisfaction rate against A: Routine, long opening, "
            "95 % CI +5.1 to +67.2.",
        )
        experiment.sudo().primary_metric = "completion_rate"  # (the system: a running design is frozen)
        self.assertIn("No variant leads yet on completion rate", experiment.with_user(self.supervisor).verdict)
        self.assertIn("-23.0 to +32.9 includes 0", experiment.verdict)

    def test_not_enough_data_until_each_variant_has_the_minimum(self):
        experiment = self._experiment(min_completed=12)
        experiment.with_user(self.supervisor).action_start()
        control, challenger = experiment.variant_ids
        self._play(control, CONTROL)
        fewer = {**CHALLENGER, **{key: CHALLENGER[key][:11] for key in ("satisfaction", "nps", "seconds")}}
        self._play(challenger, fewer)
        experiment.invalidate_recordset()
        self.assertEqual(
            experiment.with_user(self.supervisor).verdict,
            "Not enough data yet: each variant needs 12 completed callbacks; B: Routine, short opening has 11.",
        )
        self.assertFalse(challenger.with_user(self.supervisor).satisfaction_vs_control)

    def test_three_variants_are_compared_at_a_bonferroni_level(self):
        third = self.short_opening.copy({"name": "Routine, questions first"})
        experiment = self._experiment(shares=(34, 33, 33), scripts=(self.long_opening, self.short_opening, third),
                                      min_completed=10)
        experiment.with_user(self.supervisor).action_start()
        for variant, outcomes in zip(experiment.variant_ids, (CONTROL, CHALLENGER, CONTROL), strict=True):
            self._play(variant, outcomes)
        self.assertIn("97.5 % CI", experiment.with_user(self.supervisor).verdict)

    # ------------------------------------------------------------------
    # Ending
    # ------------------------------------------------------------------

    def test_ending_keeps_the_winner_and_archives_the_other_scripts(self):
        experiment = self._experiment()
        experiment.with_user(self.supervisor).action_start()
        winner = experiment.variant_ids[1]
        winner.with_user(self.supervisor).action_keep()
        self.assertEqual((experiment.state, experiment.winner_variant_id), ("done", winner))
        self.assertFalse(self.long_opening.active)
        self.assertTrue(self.short_opening.active)
        callbacks = self._callbacks(5)
        self.assertFalse(callbacks.script_variant_id, "an ended experiment assigns nothing")
        self.assertEqual(callbacks.script_id, self.short_opening)
        with self.assertRaises(UserError):
            winner.with_user(self.supervisor).action_keep()

    def test_ending_with_the_shared_script_kept_leaves_other_companies_alone(self):
        fallback = self.env.ref("insurance_claim_callback.claim_callback_script_default")
        generic = self.env["claim.callback.script"].create({"name": "Short generic", "body": "Hi",
                                                           "company_id": self.company.id})
        experiment = self._experiment(scripts=(fallback, generic))
        experiment.with_user(self.supervisor).action_start()
        experiment.variant_ids[0].with_user(self.supervisor).action_keep()
        self.assertTrue(fallback.active)
        self.assertFalse(generic.active)
        # the other way round: the company's script is kept, the shared one stays for the other companies
        generic.active = True
        again = self._experiment(scripts=(fallback, generic))
        again.with_user(self.manager).action_start()
        again.variant_ids[1].with_user(self.manager).action_keep()
        self.assertTrue(fallback.active)
        major = self.env.ref("insurance_claim_callback.claim_category_major")
        claim = self._claims(1, claim_category_id=major.id)  # the routine scripts do not match it
        self._schedule(claim)
        self.assertEqual(claim.callback_ids.script_id, generic)

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------

    def test_shares_must_add_up_to_100(self):
        experiment = self._experiment(shares=(60, 30))
        self.assertIn("add up to 90", experiment.verdict)
        with self.assertRaises(ValidationError):
            experiment.with_user(self.supervisor).action_start()
        self.assertEqual(experiment.state, "draft")
        for share in (0, 100, 2**31, 1.5):
            with self.subTest(share=share), self.assertRaises(ValidationError):
                experiment.variant_ids[0].with_user(self.supervisor).write({"share": share})

    def test_scripts_of_one_segment_one_company_at_least_two(self):
        major = self.env.ref("insurance_claim_callback.claim_category_major")
        other_segment = self.short_opening.copy({"claim_category_id": major.id})
        other_company = self.short_opening.copy({"company_id": self.company_b.id})
        for scripts in ((self.long_opening, other_segment), (self.long_opening, other_company),
                        (self.long_opening, self.long_opening)):
            experiment = self._experiment(scripts=scripts)
            with self.subTest(scripts=[script.name for script in scripts]), self.assertRaises(ValidationError):
                experiment.with_user(self.supervisor).action_start()
        single = self.env["claim.callback.script.experiment"].with_user(self.supervisor).create({
            "name": "Alone", "variant_ids": [Command.create({"script_id": self.long_opening.id, "share": 99})]})
        with self.assertRaises(ValidationError):
            single.action_start()

    def test_one_running_experiment_per_segment(self):
        self._experiment().with_user(self.supervisor).action_start()
        copy = self.short_opening.copy({"name": "Routine, shortest"})
        second = self._experiment(scripts=(self.long_opening, copy))
        with self.assertRaises(ValidationError):
            second.with_user(self.supervisor).action_start()

    def test_a_running_design_cannot_change(self):
        experiment = self._experiment()
        experiment.with_user(self.supervisor).action_start()
        variant = experiment.variant_ids[0].with_user(self.supervisor)
        copy = self.short_opening.copy({"name": "Routine, shortest"})
        for vals in ({"share": 60}, {"script_id": copy.id}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                variant.write(vals)
        with self.assertRaises(UserError):
            experiment.with_user(self.supervisor).write(
                {"variant_ids": [Command.create({"script_id": copy.id, "share": 10})]})
        with self.assertRaises(UserError):
            experiment.with_user(self.supervisor).min_completed = 50
        with self.assertRaises(UserError):
            variant.unlink()
        with self.assertRaises(UserError):
            experiment.with_user(self.supervisor).unlink()
        experiment.with_user(self.supervisor).name = "Opening length, Q1"  # the name may change
        self.assertEqual(experiment.variant_ids.mapped("share"), [50, 50])
        with self.assertRaises(AccessError):
            experiment.with_user(self.supervisor).write({"state": "draft"})

    def test_a_script_under_test_keeps_its_text_questions_and_criteria(self):
        self.env["claim.callback.script.question"].create(
            {"script_id": self.short_opening.id, "name": "How was it?", "question_type": "rating"})
        self._experiment().with_user(self.supervisor).action_start()
        script = self.short_opening.with_user(self.manager)
        major = self.env.ref("insurance_claim_callback.claim_category_major")
        for vals in ({"body": "Hello"}, {"claim_category_id": major.id}, {"active": False}, {"lang": "en_US"}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                script.write(vals)
        with self.assertRaises(UserError):
            script.question_ids.write({"name": "Anything else?"})
        with self.assertRaises(UserError):
            script.question_ids.unlink()
        with self.assertRaises(UserError):
            self.env["claim.callback.script.question"].with_user(self.manager).create(
                {"script_id": script.id, "name": "New?", "question_type": "yes_no"})
        script.sequence = 5  # the order among equals may change
        self.assertEqual(script.body, "Hi {{customer_name}}")

    # ------------------------------------------------------------------
    # Roles and companies
    # ------------------------------------------------------------------

    def test_only_supervisors_and_managers_of_the_company_start_and_end(self):
        experiment = self._experiment(user=self.manager)
        with self.assertRaises(AccessError):
            experiment.with_user(self.agent_1).action_start()
        manager_b = self._user("icc_exp_manager_b", "insurance_claim_callback.group_callback_manager",
                               company_id=self.company_b.id)
        with self.assertRaises(AccessError):
            experiment.with_user(manager_b).action_start()
        experiment.with_user(self.supervisor).action_start()
        with self.assertRaises(AccessError):
            experiment.variant_ids[0].with_user(self.agent_1).action_keep()
        with self.assertRaises(AccessError):
            experiment.variant_ids[0].with_user(manager_b).action_keep()
        self.assertEqual(experiment.state, "running")
        with self.assertRaises(AccessError):
            self.env["claim.callback.script.experiment"].with_user(self.agent_1).create({"name": "Mine"})

    def test_assignment_costs_the_same_queries_for_a_small_and_a_large_batch(self):
        self._experiment(shares=(50, 50)).with_user(self.supervisor).action_start()
        counts = []
        for size in (20, 200):
            claims = self._claims(size, partner_id=self.env["res.partner"].create(
                {"name": f"Customer of {size}", "category_id": [Command.set([])]}).id)
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            self.env["claim.callback"]._schedule_first_callbacks(500, [("id", "in", claims.ids)])
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - start)
            self.assertEqual(len(claims.callback_ids.script_variant_id), 2)
        # the ORM inserts 100 rows per INSERT: 2 more for the large batch; nothing per callback
        self.assertLessEqual(counts[1] - counts[0], 4, counts)

    def test_random_outcomes_with_a_fixed_seed_find_the_better_script(self):
        """A simulated month: the short opening satisfies 85 % against 65 %; the report says B leads."""
        rng = random.Random(22)
        experiment = self._experiment(min_completed=30)
        experiment.with_user(self.supervisor).action_start()
        callbacks = self._callbacks(300)
        rates = {experiment.variant_ids[0]: 0.65, experiment.variant_ids[1]: 0.85}
        for callback in callbacks:
            satisfied = rng.random() < rates[callback.script_variant_id]
            callback.register_result(rng.choice((4, 5)) if satisfied else rng.choice((1, 2, 3)))
        self.assertTrue(experiment.with_user(self.supervisor).verdict.startswith("B: Routine, short opening leads"))

    def test_experiment_form_costs_the_same_queries_whatever_the_data(self):
        experiment = self._experiment(min_completed=10)
        experiment.with_user(self.supervisor).action_start()
        variant_fields = ("share", "callback_count", "completed_count", "completion_rate", "completion_vs_control",
                          "satisfaction_rate", "satisfaction_vs_control", "nps", "nps_vs_control", "call_minutes",
                          "minutes_vs_control", "complaint_count", "complaint_vs_control")
        spec = {"name": {}, "state": {}, "verdict": {}, "variant_ids": {"fields": {
            "display_name": {}, "script_id": {"fields": {"display_name": {}}}, **{name: {} for name in variant_fields}
        }}}
        counts = []
        for outcomes in (CONTROL, CHALLENGER):  # 15 then 29 claims per variant
            for variant in experiment.variant_ids:
                self._play(variant, outcomes)
            self.env.flush_all()
            for _run in range(2):  # the first run warms the ormcaches (rules, groups)
                self.env.invalidate_all()
                start = self.cr.sql_log_count
                result = experiment.with_user(self.supervisor).web_read(spec)
                counts.append(self.cr.sql_log_count - start)
        self.assertEqual(counts[1], counts[3], counts)
        self.assertLessEqual(counts[3], 15)
        self.assertIn("CI", result[0]["verdict"])
