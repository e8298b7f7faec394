import logging
from datetime import datetime, time

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .batch import create_skipping_duplicates, lock_batch
from .claim_bounds_mixin import POINTS
from .res_config_settings import callback_param

_logger = logging.getLogger(__name__)

# Kinds only the system writes (events and the expiry cron), never a user directly.
SYSTEM_KINDS = ("earn", "expire")
# Fields only the system sets (earning, expiry); a user's entry gets none of them.
SYSTEM_FIELDS = frozenset({"rule_id", "callback_id", "origin_id", "expiry_date"})
EXPIRY_WATERMARK = "insurance_claim_callback.reward_expiry_watermark"
# Above this many partners, balances group the whole ledger rather than filter on their ids.
BALANCE_ID_LIST_MAX = 5000
MAX_POINTS = POINTS[1]  # points of one entry, either sign: the same bound as the ledger fields' range
MAX_REASON = 1_000  # characters of a reason a user writes


class ClaimRewardEntry(models.Model):
    """Append-only points ledger: corrections are new `adjust` entries."""

    _name = "claim.reward.entry"
    _inherit = ["claim.protected.mixin", "claim.bounds.mixin"]
    _description = "Claim Reward Ledger Entry"
    _order = "date desc, id desc"
    _rec_name = "reason"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="restrict", readonly=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
        default=lambda self: self._default_company_id(),
    )
    kind = fields.Selection(
        [("earn", "Earned"), ("redeem", "Redeemed"), ("expire", "Expired"), ("adjust", "Adjustment")],
        required=True,
        readonly=True,
    )
    points = fields.Integer(required=True, readonly=True, aggregator="sum", help="Signed: negative for debits.")
    reason = fields.Char(readonly=True)
    label = fields.Char(
        string="Points For", compute="_compute_label",
        help="What the points are for, in the reader's language: the rule's name for earned points and their expiry, "
        "else the reason given.",
    )
    rule_id = fields.Many2one(
        "claim.reward.rule", index="btree_not_null", ondelete="restrict", readonly=True, check_company=True
    )
    callback_id = fields.Many2one(
        "claim.callback", index="btree_not_null", ondelete="restrict", readonly=True, check_company=True
    )
    date = fields.Datetime(required=True, index=True, readonly=True, default=fields.Datetime.now)
    expiry_date = fields.Datetime(readonly=True, help="When the unused points of this entry expire.")
    origin_id = fields.Many2one(
        "claim.reward.entry",
        string="Expired Entry",
        ondelete="restrict",
        readonly=True,
        help="The earn entry whose unused points this entry expires.",
    )
    expire_entry_ids = fields.One2many("claim.reward.entry", "origin_id", string="Expiry")
    user_id = fields.Many2one(
        "res.users", string="Recorded By", readonly=True, default=lambda self: self.env.user
    )

    # Earn once per (rule, callback), whoever delivers the event and however often.
    _earn_once = models.UniqueIndex(
        "(rule_id, callback_id) WHERE kind = 'earn'", "These points were already granted for this callback."
    )
    # Only an expiry has an origin: its unique index is the origin's only index (one index to update per expiry);
    # `origin_id = x` implies its predicate, so the one2many and the foreign key's checks use it too.
    _expire_once = models.UniqueIndex("(origin_id) WHERE origin_id IS NOT NULL", "These points were already expired.")
    _origin_of_expiry = models.Constraint(
        "CHECK(origin_id IS NULL OR kind = 'expire')", "Only an expiry refers to the entry whose points it expires."
    )
    _kind_points = models.Constraint(
        """CHECK(
            (kind = 'earn' AND points > 0 AND rule_id IS NOT NULL AND callback_id IS NOT NULL)
            OR (kind = 'redeem' AND points < 0)
            OR (kind = 'expire' AND points <= 0 AND origin_id IS NOT NULL)
            OR (kind = 'adjust' AND points <> 0 AND COALESCE(reason, '') <> ''))""",
        "The points do not fit the kind of ledger entry.",
    )
    # the expiry cron's next lots and their customers, index-only
    _expiry_due_idx = models.Index("(expiry_date, id) INCLUDE (partner_id) WHERE kind = 'earn' AND expiry_date IS NOT NULL")
    # serves the balance, every lookup by customer and the expiry's FIFO: index-only scans of a customer's ledger,
    # read in the order of its window (date, id)
    _ledger_fifo_idx = models.Index("(partner_id, company_id, date, id) INCLUDE (points, kind, origin_id)")

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "points": (-POINTS[1], POINTS[1]),
        }

    def _default_company_id(self):
        return self.env.company

    @api.depends("kind", "points", "label")
    @api.depends_context("lang")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for entry in self:
            entry.display_name = f"{kinds.get(entry.kind, '')} {entry.points:+d}: {entry.label or ''}".strip()

    @api.depends("reason", "rule_id.name", "origin_id.rule_id.name")
    @api.depends_context("lang")
    def _compute_label(self):
        for entry in self:
            # sudo: the customer reads the name of the rule that granted their points, not its settings
            rule = (entry.rule_id or entry.origin_id.rule_id).sudo()
            entry.label = rule.name or entry.reason or False

    # ------------------------------------------------------------------
    # CRUD: create only; never write, never unlink
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_create_vals(vals)
        if not self.env.su:
            self._check_partner_companies(vals_list)
        debits = [v for v in vals_list if v["points"] < 0 and v.get("kind") != "expire"]
        if debits:
            self._check_balances(debits)
        return super().create(vals_list)

    def copy(self, default=None):  # never: the ledger is append-only; pylint: disable=method-required-super
        raise UserError(self.env._("A ledger entry cannot be duplicated: record a new adjustment."))

    def write(self, vals):  # the ledger is append-only; pylint: disable=method-required-super
        raise UserError(
            self.env._("Reward ledger entries cannot be changed: record a correction as a new adjustment.")
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Reward ledger entries cannot be deleted: record a correction as a new adjustment."))

    @api.model
    def _protected_fields(self):
        return super()._protected_fields() | SYSTEM_FIELDS | {"kind", "user_id", "date"}

    def _check_create_vals(self, vals):
        kind = vals.get("kind")
        if not self.env.su:
            if kind in SYSTEM_KINDS:
                raise UserError(self.env._("Only the system records earned and expired points."))
            if set(vals) & SYSTEM_FIELDS:
                raise UserError(
                    self.env._("The rule, callback, expiry and origin of an entry are set by the system only.")
                )
            if not isinstance(vals.get("partner_id"), int) or isinstance(vals["partner_id"], bool):
                raise ValidationError(self.env._("Choose the customer whose points change."))
            self._check_reason(vals.get("reason"))
            # the audit trail: who recorded it and when is the server's to say
            vals.update(user_id=self.env.uid, date=fields.Datetime.now())
        self._check_points(vals.get("points"))
        if kind == "adjust" and not (vals.get("reason") or "").strip():
            raise ValidationError(self.env._("An adjustment needs a reason."))
        if kind == "adjust" and not vals["points"]:
            raise ValidationError(self.env._("An adjustment changes the balance: give a non-zero number of points."))
        if kind == "redeem" and vals["points"] >= 0:
            raise ValidationError(self.env._("Redeemed points are recorded as a negative number."))
        vals.setdefault("company_id", self.env.company.id)

    @api.model
    def _check_points(self, points):
        if not isinstance(points, int) or isinstance(points, bool):
            raise ValidationError(self.env._("Points must be a whole number."))
        if abs(points) > MAX_POINTS:
            raise ValidationError(self.env._("At most %(max)s points are recorded at once.", max=MAX_POINTS))
        return points

    @api.model
    def _check_reason(self, reason):
        if reason in (None, False):
            return reason
        if not isinstance(reason, str) or "\x00" in reason:
            raise ValidationError(self.env._("The reason must be a text."))
        if len(reason) > MAX_REASON:
            raise ValidationError(
                self.env._(
                    "The reason is %(length)s characters long; at most %(max)s are accepted.",
                    length=len(reason),
                    max=MAX_REASON,
                )
            )
        return reason

    @api.model
    def _check_typed_values(self, vals):
        """Points and reason a user types in a wizard (its `vals`, or `default_*` keys), checked
        as given: an Integer field would silently take 1 for 1.5."""
        context = self.env.context
        given = {name: context[f"default_{name}"] for name in ("points", "reason") if f"default_{name}" in context}
        given.update(vals)
        if "points" in given:
            self._check_points(given["points"] or 0)
        if "reason" in given:
            self._check_reason(given["reason"])

    def _check_partner_companies(self, vals_list):
        """A user records points of the customers of the entry's company, in a company they work for."""
        partners = self.env["res.partner"].sudo().browse({vals["partner_id"] for vals in vals_list}).exists()
        for vals in vals_list:
            company = self.env["res.company"].browse(vals["company_id"])
            if company not in self.env.user.company_ids:
                raise AccessError(
                    self.env._("You do not work for this company: its customers' points are not yours to change.")
                )
            partner = partners.filtered(lambda p, pid=vals["partner_id"]: p.id == pid)
            if not partner or partner.company_id not in (company, company.browse()):
                raise ValidationError(
                    self.env._(
                        "This customer does not belong to %(company)s: their points are not kept there.",
                        company=company.name,
                    )
                )

    def _check_balances(self, debits):
        """A debit may not take a customer's balance below zero."""
        partners = self.env["res.partner"].browse({v["partner_id"] for v in debits})
        self._lock_balances(partners)
        self._expire_due_points(partners)
        # sudo: the balance counts every entry of the customer, whoever may read them.
        groups = self.sudo()._read_group(
            [("partner_id", "in", partners.ids), ("company_id", "in", list({v["company_id"] for v in debits}))],
            ["partner_id", "company_id"],
            ["points:sum"],
        )
        balances = {(partner.id, company.id): points for partner, company, points in groups}
        for vals in debits:
            key = (vals["partner_id"], vals["company_id"])
            balances[key] = balances.get(key, 0) + vals["points"]
            if balances[key] < 0:
                raise ValidationError(
                    self.env._(
                        "%(partner)s has %(balance)s points: %(points)s cannot be taken.",
                        partner=self.env["res.partner"].browse(key[0]).display_name,
                        balance=balances[key] - vals["points"],
                        points=-vals["points"],
                    )
                )

    def _lock_balances(self, partners):
        # A no-op UPDATE of the customers' rows: a concurrent debit of the same customer
        # waits, then fails with a serialization error and is retried on a fresh snapshot,
        # so two redemptions cannot both spend the same points.
        self.env.cr.execute(SQL("UPDATE res_partner SET write_date = write_date WHERE id IN %s", tuple(partners.ids)))

    # ------------------------------------------------------------------
    # Balances and cost
    # ------------------------------------------------------------------

    @api.model
    def _balances(self, partners, company):
        """{partner: balance} in `company`, in one grouped query.

        For many partners the company's whole ledger is grouped: a long id list
        costs PostgreSQL more than the rows it lets it skip.
        """
        domain = [("company_id", "=", company.id)]
        if len(partners) <= BALANCE_ID_LIST_MAX:
            domain.append(("partner_id", "in", partners.ids))
        groups = self._read_group(domain, ["partner_id"], ["points:sum"])
        if len(partners) <= BALANCE_ID_LIST_MAX:
            return dict(groups)
        wanted = set(partners.ids)
        return {partner: points for partner, points in groups if partner.id in wanted}

    @api.model
    def _redeemed_cost(self, date_from, date_to, company):
        """Value of the points redeemed in [date_from, date_to[ in `company` (company currency)."""
        date_from, date_to = (
            datetime.combine(d, time.min) if not isinstance(d, datetime) else d for d in (date_from, date_to)
        )
        [[points]] = self._read_group(
            [
                ("kind", "=", "redeem"),
                ("company_id", "=", company.id),
                ("date", ">=", date_from),
                ("date", "<", date_to),
            ],
            aggregates=["points:sum"],
        )
        return -(points or 0) * company.reward_point_value

    @api.model
    def _redeem(self, partner, points, reason=None, company=None):
        partner.ensure_one()
        if self._check_points(points) <= 0:
            raise ValidationError(self.env._("Redeem a positive whole number of points."))
        return self.create(
            {
                "kind": "redeem",
                "partner_id": partner.id,
                "company_id": (company or self.env.company).id,
                "points": -points,
                "reason": reason,
            }
        )

    # ------------------------------------------------------------------
    # Earning (called by claim.reward.rule._reward_event)
    # ------------------------------------------------------------------

    @api.model
    def _create_earn_entries(self, vals_list):
        """Create earn entries; those another transaction granted first are skipped."""
        return create_skipping_duplicates(self, vals_list)

    # ------------------------------------------------------------------
    # Expiry
    # ------------------------------------------------------------------

    @api.model
    def _cron_reward_expiry(self):
        processed, remaining = self._expire_points(self._get_expiry_batch_size())
        self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

    @api.model
    def _get_expiry_batch_size(self):
        return callback_param(self.env, "reward_expiry_batch_size")

    @api.model
    def _expire_points(self, limit=1000):
        """Write the `expire` entries of one batch of earn entries past their validity.

        FIFO: debits (redemptions, negative adjustments) use the oldest points first;
        what is left of an earn entry when it expires is expired, in one entry that
        references it (0 points when it was all used), so a rerun writes nothing new.
        A watermark (expiry date, id) of the last processed entry keeps each batch from
        rescanning the processed ones: new entries always expire in the future.
        A batch is a fixed number of queries, whatever its size and the backlog.
        Returns (earn entries processed, earn entries remaining, up to one more batch).
        """
        # From a few thousand lots, the statements' cost estimates cross JIT's threshold: compiling them takes
        # longer than running them. (On an error, the rollback ends the SET LOCAL.)
        self.env.cr.execute("SET LOCAL jit = off")
        result = self._expire_batch(limit)
        self.env.cr.execute("SET LOCAL jit TO DEFAULT")
        return result

    @api.model
    def _expire_batch(self, limit):
        # sudo: the cron's own bookkeeping over every customer's ledger.
        Entry = self.sudo()
        now = fields.Datetime.now()
        rows = self._query_expirable(now, 2 * limit)
        batch, waiting = rows[:limit], rows[limit:]
        if not batch:
            return 0, 0
        locked = lock_batch(Entry.browse([row[0] for row in batch]))
        locked._insert_expire_entries(now, {row[2] for row in batch})
        # advance over the leading run of processed lots; a lot locked elsewhere is retried
        locked_ids = set(locked._ids)
        leading = next((i for i, row in enumerate(batch) if row[0] not in locked_ids), len(batch))
        if leading:
            self._set_expiry_watermark(batch[leading - 1])
        return len(locked), len(waiting) + len(batch) - len(locked)

    @api.model
    def _expire_due_points(self, partners):
        """Expire what is due of these customers now, as the cron would: a debit never
        spends points past their validity, even before the daily cron has run."""
        now = fields.Datetime.now()
        due = self._query_expirable(now, partners=partners)
        if due:
            Entry = self.sudo()  # sudo: the ledger's own bookkeeping, as in the cron
            lock_batch(Entry.browse([row[0] for row in due]))._insert_expire_entries(now, partners.ids)

    @api.model
    def _query_expirable(self, now, limit=None, partners=None):
        """(id, expiry date, customer id) of earn entries due to expire and not expired yet: after the watermark,
        or of `partners`."""
        if partners is None:
            mark_date, mark_id = self._get_expiry_watermark()
            scope = SQL("(e.expiry_date, e.id) > (%s, %s)", mark_date, mark_id)
        else:
            scope = SQL("e.partner_id IN %s", tuple(partners.ids))
        # "not expired yet" probes the unique index on origin_id for each lot read in order: OFFSET 0 keeps
        # PostgreSQL from making it an anti-join, which, on statistics older than the batch's own expiries (a
        # catch-up run before autovacuum's ANALYZE), reads every expiry again for each lot: quadratic.
        return self.env.execute_query(SQL(
            """SELECT e.id, e.expiry_date, e.partner_id FROM claim_reward_entry e
                WHERE e.kind = 'earn' AND e.expiry_date IS NOT NULL AND e.expiry_date <= %(now)s AND %(scope)s
                  AND NOT EXISTS (SELECT FROM claim_reward_entry x WHERE x.origin_id = e.id OFFSET 0)
             ORDER BY e.expiry_date, e.id LIMIT %(limit)s""",
            now=now, scope=scope, limit=limit,
        ))

    def _insert_expire_entries(self, now, partner_ids):
        """One `expire` entry per lot in `self`, for what is left of it, in one statement.

        What is left: the lot's points, less what expired of it already, less the debits of its customer in its
        company that the credits before it (date, id) did not cover: debits use the oldest points first.
        One pass over the ledgers of the lots' customers (`partner_ids`, at least theirs): each entry with its
        expiry folded in (an expiry counts against the entry it expires), then a window per ledger. The customers
        are a list of constants for PostgreSQL to read their ledgers on the index, whatever its statistics.
        No one records an expiry: its Recorded By is empty (the system's), which spares a foreign-key check per row."""
        if not self:
            return
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            WITH entries AS (  -- the lots' ledgers, an entry and its expiry as one row
                SELECT e.partner_id, e.company_id, CASE WHEN e.kind = 'expire' THEN e.origin_id ELSE e.id END AS id,
                       min(e.date) FILTER (WHERE e.kind <> 'expire') AS date, sum(e.points) AS points
                  FROM claim_reward_entry e
                 WHERE e.partner_id = ANY(%(partners)s)
              GROUP BY e.partner_id, e.company_id, 3
            ), fifo AS (  -- credits are positive, debits negative
                SELECT id, partner_id, company_id, points AS available,
                       COALESCE(sum(points) FILTER (WHERE points > 0) OVER (
                           PARTITION BY partner_id, company_id ORDER BY date, id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before,
                       COALESCE(-sum(points) FILTER (WHERE points < 0) OVER (PARTITION BY partner_id, company_id), 0)
                           AS debits
                  FROM entries
            )
            INSERT INTO claim_reward_entry (kind, partner_id, company_id, origin_id, points, reason, date, user_id,
                                            create_uid, create_date, write_uid, write_date)
            SELECT 'expire', f.partner_id, f.company_id, f.id,
                   -(f.available - LEAST(f.available, GREATEST(f.debits - f.before, 0))),
                   (SELECT lot.reason FROM claim_reward_entry lot WHERE lot.id = f.id),
                   %(now)s, NULL, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM fifo f
             WHERE f.id IN (SELECT unnest(%(lots)s::int[]))
            ON CONFLICT (origin_id) WHERE origin_id IS NOT NULL DO NOTHING
            """,
            lots=list(self.ids), partners=sorted(partner_ids), now=now, uid=self.env.uid,
        ))
        self.invalidate_model()

    # The watermark is a system parameter read and written in SQL: set_param would clear the parameters' cache of
    # every worker after each batch, and only this cron reads it. It keeps the date's microseconds (dates written
    # in SQL have them): cut to the second, it let each batch read again the processed lots of that second.
    @api.model
    def _get_expiry_watermark(self):
        rows = self.env.execute_query(SQL("SELECT value FROM ir_config_parameter WHERE key = %s", EXPIRY_WATERMARK))
        if not rows or not rows[0][0]:
            return datetime(1970, 1, 1), 0
        date, entry_id = rows[0][0].split("|")
        return datetime.fromisoformat(date), int(entry_id)

    @api.model
    def _set_expiry_watermark(self, row):
        entry_id, date = row[:2]
        self.env.cr.execute(SQL(
            """INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, write_date)
               VALUES (%(key)s, %(value)s, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC')
               ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_uid = EXCLUDED.write_uid,
                                               write_date = EXCLUDED.write_date""",
            key=EXPIRY_WATERMARK, value=f"{date.isoformat(sep=' ')}|{entry_id}", uid=self.env.uid,
        ))
