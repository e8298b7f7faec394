"""Benchmark of the fallback sender (claim.callback._send_fallback_batch): SMS + e-mail with
the questionnaire link for callbacks whose phone attempts are exhausted.

Run through bench/run_bench_fallback.sh, or by hand on a database that has the addon:
    python bench/bench_fallback.py --db DB [--n 10000] [--naive 1000] -- ODOO_ARGS...

  batched   _send_fallback_batch(500) + commit until nothing remains (what the cron does);
  naive     per callback: _message_sms_with_template() + mail_template.send_mail(), commit
            every 500 (baseline, on --naive callbacks).
Figures are printed as `name: value` lines. Messages are queued (sms.sms / mail.mail), as the
cron does; Odoo's own SMS / mail queues send them.
"""

import gc
import time
from datetime import timedelta

from benchlib import odoo_env, out, parser, peak_rss_mb, rss_mb, run_batches

from odoo import fields

SMOKE_ARGS = ["--n", "200", "--naive", "50"]  # bench/smoke.py (tools/test)
BATCH = 500
CREATE_BATCH = 1000
NO_MAIL = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}


def create_exhausted_callbacks(env, n, prefix):
    """N claims closed yesterday, each with its first callback whose phone is exhausted."""
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
    Partner = env["res.partner"].with_context(**NO_MAIL)
    Ticket = env["helpdesk.ticket"].with_context(**NO_MAIL)
    closed = fields.Datetime.now() - timedelta(days=1)
    ids = []
    for start in range(0, n, CREATE_BATCH):
        rng = range(start, min(n, start + CREATE_BATCH))
        partners = Partner.create(
            [
                {
                    "name": f"{prefix} customer {i}",
                    "phone": f"+32 470 {i:06d}",
                    "email": f"{prefix.lower()}-{i}@example.com",
                    "tz": "Europe/Brussels",
                }
                for i in rng
            ]
        )
        tickets = Ticket.create(
            [
                {
                    "name": f"Claim {prefix}-{i}",
                    "description": "<p>Settled</p>",
                    "is_claim": True,
                    "claim_number": f"{prefix}-{i}",
                    "partner_id": p.id,
                    "stage_id": stage.id,
                    "closed_date": closed,
                    "claim_amount": 1000,
                    "paid_amount": 800,
                }
                for i, p in zip(rng, partners, strict=True)
            ]
        )
        env["claim.callback"]._schedule_first_callbacks(len(tickets), [("id", "in", tickets.ids)])
        env.cr.commit()
        env.invalidate_all()
        gc.collect()
        ids += tickets.ids
    env.cr.execute(
        "UPDATE claim_callback SET state = 'in_progress', fallback_date = %s WHERE ticket_id = ANY(%s) RETURNING id",
        [fields.Datetime.now() - timedelta(minutes=1), ids],
    )
    callback_ids = [r[0] for r in env.cr.fetchall()]
    env.cr.commit()
    return callback_ids


def count_messages(env, callback_ids):
    env.cr.execute(
        "SELECT (SELECT count(*) FROM sms_sms s JOIN claim_callback c ON c.partner_id = s.partner_id"
        "         WHERE c.id = ANY(%(ids)s)),"
        "       (SELECT count(*) FROM mail_mail m JOIN mail_message mm ON mm.id = m.mail_message_id"
        "         WHERE mm.model = 'claim.callback' AND mm.res_id = ANY(%(ids)s))",
        {"ids": callback_ids},
    )
    return env.cr.fetchone()


def bench_batched(env, callback_ids):
    Callback = env["claim.callback"]
    domain = [("id", "in", callback_ids)]
    rss = []

    def after_batch():
        gc.collect()
        rss.append(rss_mb())

    elapsed, queries, _processed = run_batches(env, lambda: Callback._send_fallback_batch(BATCH, domain), after_batch)
    return elapsed, queries, rss


def bench_naive(env, callback_ids):
    sms_tpl = env.ref("insurance_claim_callback.sms_template_callback_fallback")
    mail_tpl = env.ref("insurance_claim_callback.mail_template_callback_fallback")
    t0 = time.perf_counter()
    for i, callback in enumerate(env["claim.callback"].browse(callback_ids), 1):
        callback.survey_expiry_date = fields.Datetime.now() + timedelta(days=7)
        callback._message_sms_with_template(template=sms_tpl, partner_ids=callback.partner_id.ids, put_in_queue=True)
        mail_tpl.send_mail(callback.id)
        if i % BATCH == 0:
            env.cr.commit()
            env.invalidate_all()
    env.cr.commit()
    return time.perf_counter() - t0


def main():
    args = parser(__doc__)
    args.add_argument("--n", type=int, default=10000, help="callbacks for the batched sender")
    args.add_argument("--naive", type=int, default=1000, help="callbacks for the naive baseline")
    with odoo_env(args) as (opts, env):
        tag = time.strftime("%H%M%S")
        # the calling window is open all day, so that the figures do not depend on the clock
        env["claim.callback.channel"].search([]).write({"window_start": 0.0, "window_end": 24.0})
        env.cr.commit()

        ids = create_exhausted_callbacks(env, opts.n, f"F{tag}")
        rss_before = rss_mb()
        elapsed, queries, rss = bench_batched(env, ids)
        sms, mails = count_messages(env, ids)
        rate = (sms + mails) / elapsed
        out("n_callbacks", opts.n)
        out("sms_queued", sms)
        out("mails_queued", mails)
        out("fallback_ok", sms == mails == opts.n)
        out("fallback_s", elapsed)
        out("messages_per_s", rate)
        out("callbacks_per_s", opts.n / elapsed)
        out("batches", len(queries))
        out("queries_per_batch_max", max(queries))
        out("queries_per_batch_avg", sum(queries) / len(queries))
        out("rss_before_mb", rss_before)
        out("rss_max_during_batches_mb", max(rss))
        out("rss_growth_first_to_last_batch_mb", rss[-1] - rss[0])

        naive_ids = create_exhausted_callbacks(env, opts.naive, f"N{tag}")
        naive_s = bench_naive(env, naive_ids)
        naive_rate = 2 * opts.naive / naive_s
        out("naive_n_callbacks", opts.naive)
        out("naive_messages_per_s", naive_rate)
        out("speedup_vs_naive", rate / naive_rate)
        out("peak_rss_mb", peak_rss_mb())


if __name__ == "__main__":
    main()
