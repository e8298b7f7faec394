import pathlib
import re

from odoo.tests import TransactionCase, tagged

MODULE = "insurance_claim_callback"

# README "Stable interface": the names integrations and the acceptance suite use.
FIELDS = {
    "helpdesk.ticket": "is_claim claim_number policy_number claim_category_id claim_amount paid_amount closed_date "
    "callback_ids callback_status source_callback_id is_complaint",
    "claim.category": "name code",
    "claim.callback": "ticket_id partner_id company_id team_id user_id sequence parent_id state sla_rule_id "
    "sla_first_contact_deadline sla_completion_deadline sla_first_contact_status sla_completion_status "
    "first_attempt_date completed_date satisfaction nps feedback sentiment_score sentiment attempt_ids "
    "feedback_ticket_ids access_token",
    "claim.callback.attempt": "callback_id channel outcome date user_id duration cost",
    "claim.sla.rule": "name sequence company_id category_ids amount_min amount_max partner_category_ids team_ids "
    "first_contact_hours completion_hours resolution_hours resource_calendar_id at_risk_ratio",
    "claim.reward.rule": "name event points",
    "claim.reward.entry": "partner_id company_id kind points reason rule_id callback_id date",
    "res.partner": "reward_points callback_risk",
    "claim.feedback.topic": "name code keywords active",
    "claim.risk.warning": "kind company_id team_id channel topic_id partner_id value threshold message date state",
    "claim.callback.kpi": "month company_id claims_closed coverage_72h first_contact_24h satisfaction_rate "
    "issue_resolution_48h complaint_rate_change repeat_claim_rate_change cost_total",
    "claim.callback.agent.month": "user_id company_id month callbacks completed completion_rate on_time_rate "
    "first_contact_rate satisfaction_rate satisfaction_avg complaints attempts_per_callback qa_score score rank",
    "claim.callback.evaluation": "callback_id user_id evaluator_id company_id state score reason",
    "res.company": "callback_qa_threshold callback_qa_sample_share",
}
FIELDS["claim.callback"] += " topic_ids"
SELECTIONS = {
    ("helpdesk.ticket", "callback_status"): "none pending satisfied limit_reached opted_out",
    ("claim.callback", "state"): "scheduled in_progress done unreachable cancelled",
    ("claim.callback", "sla_first_contact_status"): "on_track at_risk breached met missed",
    ("claim.callback", "sla_completion_status"): "on_track at_risk breached met missed",
    ("claim.callback", "sentiment"): "positive neutral negative",
    ("claim.callback.attempt", "channel"): "phone sms email wechat app",
    ("claim.callback.attempt", "outcome"): "reached no_answer busy wrong_number refused call_back_later "
    "message_sent message_failed",
    ("claim.reward.rule", "event"): "survey_completed feedback_given suggestion_accepted",
    ("claim.reward.entry", "kind"): "earn redeem expire adjust",
    ("claim.risk.warning", "kind"): "capacity_shortage channel_failure contact_failure topic_spike kpi_forecast "
    "customer_at_risk",
    ("claim.risk.warning", "state"): "open acknowledged resolved",
    ("res.partner", "callback_risk"): "none watch high",
    ("claim.callback.evaluation", "state"): "todo done",
    ("claim.callback.evaluation", "reason"): "low_satisfaction negative_sentiment complaint random manual",
}
XML_IDS = {
    "ir.cron": "ir_cron_schedule_callbacks ir_cron_sla_check ir_cron_monthly_kpi ir_cron_reward_expiry "
    "ir_cron_data_retention ir_cron_risk_check ir_cron_quality_sampling",
    "survey.survey": "survey_quality_scorecard survey_training_certification",
    "claim.feedback.topic": "feedback_topic_payout_speed feedback_topic_payout_amount feedback_topic_staff_attitude "
    "feedback_topic_documents feedback_topic_reachability feedback_topic_digital feedback_topic_process",
    "res.groups": "group_callback_agent group_callback_supervisor group_callback_manager",
    "claim.category": "claim_category_major claim_category_routine claim_category_special",
}


@tagged("post_install", "-at_install")
class TestStableInterface(TransactionCase):
    def test_models_and_fields_named_in_the_spec_exist(self):
        for model, names in FIELDS.items():
            for name in names.split():
                with self.subTest(model=model, field=name):
                    self.assertIn(name, self.env[model]._fields)

    def test_selection_values_named_in_the_spec_exist(self):
        for (model, field), values in SELECTIONS.items():
            with self.subTest(model=model, field=field):
                selection = dict(self.env[model]._fields[field]._description_selection(self.env))
                self.assertLessEqual(set(values.split()), set(selection))

    def test_crons_groups_and_seeded_records_named_in_the_spec_exist(self):
        for model, xml_ids in XML_IDS.items():
            for xml_id in xml_ids.split():
                with self.subTest(xml_id=xml_id):
                    self.assertEqual(self.env.ref(f"{MODULE}.{xml_id}")._name, model)
        agent, supervisor, manager = (
            self.env.ref(f"{MODULE}.group_callback_{role}") for role in ("agent", "supervisor", "manager")
        )
        self.assertIn(agent, supervisor.all_implied_ids)
        self.assertIn(supervisor, manager.all_implied_ids)

    def test_every_name_tested_here_is_listed_in_the_readme(self):
        readme = pathlib.Path(__file__).parents[1].joinpath("README.md").read_text(encoding="utf-8")
        section = readme.split("## Stable interface", 1)[1].split("\n## ", 1)[0]
        listed = set(re.findall(r"`([^`]+)`", section))
        tested = [*FIELDS, *" ".join(FIELDS.values()).split(), *" ".join(SELECTIONS.values()).split()]
        tested += " ".join(XML_IDS.values()).split() + ["register_attempt", "register_result", "compute_month",
                                                            "forecast_month"]
        missing = {name for name in tested if not any(name in item for item in listed)}
        self.assertFalse(missing, "names the README's Stable interface section does not list")

    def test_methods_named_in_the_spec_exist(self):
        callback = self.env["claim.callback"]
        for name in ("register_attempt", "register_result"):
            self.assertTrue(callable(getattr(callback, name, None)), name)
        self.assertTrue(callable(getattr(self.env["claim.callback.kpi"], "compute_month", None)))
        self.assertTrue(callable(getattr(self.env["claim.callback.kpi"], "forecast_month", None)))
        self.assertTrue(callable(getattr(self.env["claim.callback.agent.month"], "compute_month", None)))
