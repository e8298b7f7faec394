"""Coaching and training (SPEC §10): a month that misses the company's satisfaction target or QA threshold gives
the team leader one coaching activity on the appraisal row, and invites the agent to the training certification."""

from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL, plaintext2html

from .claim_callback import SUPERVISOR_GROUP
from .locale_format import format_month

CERTIFICATION = "insurance_claim_callback.survey_training_certification"
COACHING_DAYS = 7  # the leader holds the conversation within a week
TRAINING_DAYS = 14  # the agent takes the certification within two weeks


class ClaimCallbackAgentMonth(models.Model):
    _inherit = "claim.callback.agent.month"

    coaching_sent = fields.Boolean(
        readonly=True, copy=False,
        help="The team leader was given the coaching activity of this month (never given twice, even once closed).",
    )

    @api.model
    def compute_month(self, month, company):
        """The appraisal rows of the month, then their certification results and the coaching they call for."""
        parent = getattr(super(), "compute_month", None)
        rows = parent(month, company) if parent else self.browse()
        rows.sudo()._refresh_certification()
        rows.sudo()._coach()
        return rows

    # ------------------------------------------------------------------
    # Certification results (set-based)
    # ------------------------------------------------------------------

    def _refresh_certification(self):
        """Each row's last done attempt of the training certification by the agent: score, date, passed (one
        query, whatever the number of rows)."""
        if not self:
            return
        self.flush_recordset(["user_id"])
        self.env["survey.user_input"].flush_model(["survey_id", "partner_id", "state", "test_entry", "end_datetime",
                                                   "scoring_percentage", "scoring_success"])
        self.env.cr.execute(SQL(
            """UPDATE claim_callback_agent_month AS row
                  SET certification_score = last.scoring_percentage,
                      certification_date = last.end_datetime,
                      certification_passed = COALESCE(last.scoring_success, FALSE)
                 FROM res_users AS u
            LEFT JOIN LATERAL (
                      SELECT answer.scoring_percentage, answer.end_datetime, answer.scoring_success
                        FROM survey_user_input AS answer
                       WHERE answer.survey_id = (SELECT res_id FROM ir_model_data
                                                  WHERE module = %(module)s AND name = %(name)s)
                         AND answer.partner_id = u.partner_id
                         AND answer.state = 'done' AND NOT COALESCE(answer.test_entry, FALSE)
                    ORDER BY answer.end_datetime DESC NULLS LAST, answer.id DESC
                       LIMIT 1) AS last ON TRUE
                WHERE row.user_id = u.id AND row.id IN %(ids)s""",
            module=CERTIFICATION.split(".")[0], name=CERTIFICATION.split(".")[1], ids=tuple(self.ids),
        ))
        self.invalidate_recordset(["certification_score", "certification_date", "certification_passed"])

    # ------------------------------------------------------------------
    # Coaching
    # ------------------------------------------------------------------

    def _missed(self):
        """What this month missed: [(kind, value, target)], kind in 'satisfaction', 'qa'."""
        self.ensure_one()
        company = self.company_id
        missed = []
        if self.rated and self.satisfaction_rate < company.callback_target_satisfaction:
            missed.append(("satisfaction", self.satisfaction_rate, company.callback_target_satisfaction))
        if self.evaluations and self.qa_score < company.callback_qa_threshold:
            missed.append(("qa", self.qa_score, company.callback_qa_threshold))
        return missed

    def _is_over(self):
        """The month has ended in the company's time zone (a month in progress is not coached yet)."""
        self.ensure_one()
        tz = pytz.timezone(self.company_id.partner_id.tz or "UTC")
        today = pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date()
        return self.month < today.replace(day=1)

    def _coach(self):
        """One coaching activity per agent and month for the team leader, and the agent's invitation to the
        training certification, for the rows that miss a target; rows already coached are skipped for good."""
        candidates = self.filtered(lambda row: not row.coaching_sent and row._is_over() and row._missed())
        if not candidates:
            return self.browse()
        self.flush_model(["coaching_sent"])
        # claim the rows first: a concurrent run waits on them, then finds them coached
        self.env.cr.execute(SQL(
            "UPDATE claim_callback_agent_month SET coaching_sent = TRUE WHERE id IN %s AND coaching_sent IS NOT TRUE "
            "RETURNING id",
            tuple(candidates.ids),
        ))
        coached = self.browse(sorted(row_id for (row_id,) in self.env.cr.fetchall()))
        self.invalidate_recordset(["coaching_sent"])
        if not coached:
            return coached
        leaders = coached._coaching_leaders()
        activity_type = self.env.ref("insurance_claim_callback.mail_activity_type_coaching")
        training_type = self.env.ref("insurance_claim_callback.mail_activity_type_training")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        invitations = coached._invite_to_certification()
        vals_list = []
        for row in coached:
            leader = leaders.get(row.id)
            if leader:
                localized = row.with_context(lang=leader.lang)
                vals_list.append({
                    "res_model_id": model_id,
                    "res_id": row.id,
                    "activity_type_id": activity_type.id,
                    "summary": localized._coaching_summary(),
                    "note": plaintext2html(localized._coaching_note()),
                    "user_id": leader.id,
                    "date_deadline": today + timedelta(days=COACHING_DAYS),
                })
            invitation = invitations.get(row.id)
            if invitation:
                localized = row.with_context(lang=row.user_id.lang)
                vals_list.append({
                    "res_model_id": model_id,
                    "res_id": row.id,
                    "activity_type_id": training_type.id,
                    "summary": localized.env._("Take the training certification"),
                    "note": localized._training_note(invitation),
                    "user_id": row.user_id.id,
                    "date_deadline": today + timedelta(days=TRAINING_DAYS),
                })
        # sudo: the computation's caller may not read the leaders; the activities are notices
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals_list)
        return coached

    def _coaching_leaders(self):
        """{row id: user}: the leader of a team of the row's company the agent belongs to, when they supervise
        (and are not the agent), else the first supervisor of the company."""
        supervisors = self.env.ref(SUPERVISOR_GROUP).all_user_ids.filtered(lambda u: u.active and not u.share)
        teams = self.env["helpdesk.ticket.team"].sudo().search(
            [("company_id", "in", self.company_id.ids), ("user_id", "!=", False)], order="sequence, id"
        )
        leaders = {}
        for row in self:
            team_leaders = teams.filtered(
                lambda t, r=row: t.company_id == r.company_id and r.user_id in t.user_ids
            ).user_id
            candidates = (team_leaders & supervisors) or supervisors.filtered(
                lambda u, c=row.company_id: c in u.company_ids
            ).sorted("id")
            candidates = candidates.filtered(lambda u, c=row.company_id: c in u.company_ids) - row.user_id
            if candidates:
                leaders[row.id] = candidates[0]
        return leaders

    def _coaching_summary(self):
        return self.env._(
            "Coaching: %(agent)s, %(month)s",
            agent=self.user_id.name, month=format_month(self.env, self.month, self.env.lang),
        )

    def _coaching_note(self):
        lines = [self.env._(
            "%(agent)s missed in %(month)s:", agent=self.user_id.name,
            month=format_month(self.env, self.month, self.env.lang),
        )]
        for kind, value, target in self._missed():
            if kind == "satisfaction":
                lines.append(self.env._(
                    "- satisfaction rate %(value).1f %% (target %(target).1f %%, %(rated)s rated callbacks)",
                    value=value, target=target, rated=self.rated,
                ))
            else:
                lines.append(self.env._(
                    "- QA score %(value).1f (threshold %(target).1f, %(count)s evaluations)",
                    value=value, target=target, count=self.evaluations,
                ))
        lines.append(self.env._("The agent is invited to the training certification."))
        return "\n".join(lines)

    def _training_note(self, invitation):
        return plaintext2html(self.env._(
            "Please take the training certification (claims policy, communication, customer psychology): %(url)s",
            url=invitation.get_base_url() + invitation.get_start_url(),
        ))

    def _invite_to_certification(self):
        """{row id: survey.user_input}: the agent's open invitation to the certification, created as the
        survey's invite wizard does (`_create_answer` with a deadline) when they have none."""
        survey = self.env.ref(CERTIFICATION, raise_if_not_found=False)
        if not survey or not survey.active:
            return {}
        Answer = self.env["survey.user_input"].sudo()
        open_answers = Answer.search([
            ("survey_id", "=", survey.id), ("partner_id", "in", self.user_id.partner_id.ids),
            ("state", "in", ("new", "in_progress")), ("test_entry", "=", False),
        ], order="id desc")
        by_partner = {}
        for answer in open_answers:
            by_partner.setdefault(answer.partner_id, answer)
        deadline = fields.Datetime.now() + timedelta(days=TRAINING_DAYS)
        invitations = {}
        for row in self:
            partner = row.user_id.partner_id
            if partner not in by_partner:
                by_partner[partner] = survey.sudo()._create_answer(
                    user=row.user_id, check_attempts=False, deadline=deadline
                )
            invitations[row.id] = by_partner[partner]
        return invitations
