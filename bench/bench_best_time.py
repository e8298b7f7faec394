"""Benchmark of the best time to call: the fixed retry interval against the learned hour, same run.

Run through bench/run_bench_best_time.sh, or by hand on a database that has the addon:
    python bench/bench_best_time.py --db DB [--n 600] [--rounds 3] [--seed 2] -- ODOO_ARGS...

Customers (Asia/Taipei) have a hidden chance of answering per local hour (PATTERNS). Each has
`--rounds` past claims called the way the addon calls today (the learner off: that is the history
it learns from), then one new claim, called twice from the same starting point (a savepoint rolled
back in between): by the fixed interval (company switch off) and by the learned hour (on). Both use
the addon's own code: `claim.callback._log_attempts` logs each batch of calls at its simulated time
(freezegun), which counts the attempts (claim.callback.reach) and plans the next try; the bench
only decides who answers (the same random draw for a customer and hour in both arms) and calls
each callback when its next try comes. A reached callback is done; after the phone's maximum of
failed tries the callback leaves the phone (fallback). Agent time: CALL_MINUTES per answered call,
RING_MINUTES per unanswered one.

Patterns: the learner's pseudo-counts (lib/best_time.py) were fixed before this bench first ran
and were not changed after it: no pattern was used to tune them. REGULAR customers answer at the
same hours every week (office workers, retirees, never before the evening); IRREGULAR ones are
harder by design (shift workers whose early / late shift alternates by week, weekend-only
customers, noise: a flat 30 % at any hour), printed apart.
"""

import random
import zlib
from collections import Counter
from datetime import datetime, timedelta

import pytz
from benchlib import odoo_env, out, parser
from freezegun import freeze_time

SMOKE_ARGS = ["--n", "24", "--rounds", "1"]  # bench/smoke.py (tools/test)
TZ = pytz.timezone("Asia/Taipei")
HORIZON = timedelta(hours=72)
CALL_MINUTES = 8.0
RING_MINUTES = 1.0
NO_MAIL = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True, "mail_create_nosubscribe": True}
START = datetime(2026, 3, 2)  # a Monday: round r starts in week r


def office(local):
    if local.weekday() >= 5:
        return 0.5 if 10 <= local.hour < 20 else 0.05
    return 0.5 if local.hour == 12 else 0.7 if 18 <= local.hour < 21 else 0.05


def retiree(local):
    return 0.7 if 9 <= local.hour < 12 else 0.6 if 14 <= local.hour < 17 else 0.2


def evening(local):
    return 0.75 if 18 <= local.hour < 22 else 0.02


def shift(local):
    early_week = local.isocalendar()[1] % 2 == 0  # early shift 06-14 one week, late 14-22 the next
    free = range(15, 21) if early_week else range(9, 13)
    return 0.7 if local.hour in free else 0.1


def weekend(local):
    return 0.7 if local.weekday() >= 5 and 10 <= local.hour < 19 else 0.05


def noise(_local):
    return 0.3


REGULAR = {"office": office, "retiree": retiree, "evening": evening}
IRREGULAR = {"shift": shift, "weekend": weekend, "noise": noise}
PATTERNS = {**REGULAR, **IRREGULAR}


def answers(seed, partner_id, pattern, when_utc):
    """The customer's hidden answer to a call at `when_utc`: the same draw in both arms."""
    local = pytz.utc.localize(when_utc).astimezone(TZ).replace(tzinfo=None)
    draw = random.Random(zlib.crc32(f"{seed}:{partner_id}:{when_utc:%Y%m%d%H}".encode())).random()
    return draw < PATTERNS[pattern](local)


def setup(env, n, seed):
    """n customers, patterns round-robin, retirees tagged "Senior", the others "Retail": {partner id: pattern}."""
    tags = {name: env["res.partner.category"].create({"name": name}) for name in ("Senior", "Retail")}
    names = list(PATTERNS)
    partners = (
        env["res.partner"]
        .with_context(**NO_MAIL)
        .create(
            [
                {
                    "name": f"Best time customer {i}",
                    "phone": f"+886 912 {i:06d}",
                    "tz": "Asia/Taipei",
                    "category_id": [(6, 0, tags["Senior" if names[i % len(names)] == "retiree" else "Retail"].ids)],
                }
                for i in range(n)
            ]
        )
    )
    return {p.id: names[i % len(names)] for i, p in enumerate(partners)}


def new_callbacks(env, patterns, week, seed):
    """One closed claim and its callback per customer, starting at a random weekday hour 09-17 of `week`:
    {callback: start (naive UTC)}."""
    rng = random.Random(f"{seed}:{week}")
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
    pids = sorted(patterns)
    tickets = (
        env["helpdesk.ticket"]
        .with_context(**NO_MAIL)
        .create(
            [
                {
                    "name": f"Claim {week}-{pid}",
                    "description": "<p>Settled</p>",
                    "is_claim": True,
                    "partner_id": pid,
                    "claim_number": f"BT-{week}-{pid}",
                    "stage_id": stage.id,
                    "claim_amount": 1000,
                    "paid_amount": 800,
                }
                for pid in pids
            ]
        )
    )
    callbacks = (
        env["claim.callback"]
        .with_context(**NO_MAIL)
        .create([{"ticket_id": t.id, "partner_id": t.partner_id.id, "company_id": t.company_id.id} for t in tickets])
    )
    starts = {}
    for callback in callbacks:
        local = START + timedelta(days=7 * week + rng.randrange(5), hours=rng.randrange(9, 18))
        starts[callback] = TZ.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
    return starts


def simulate(env, starts, patterns, seed, stats=None):
    """Call each callback at its start, then at each next try the addon plans, for 72 h.
    Returns {callback id: (attempts, answered)}; `stats` gets the batches logged and their queries."""
    Callback = env["claim.callback"].with_context(**NO_MAIL)
    due = {c.id: when for c, when in starts.items()}
    deadline = {c.id: when + HORIZON for c, when in starts.items()}
    result = {c.id: (0, False) for c in starts}
    settings = Callback.browse(list(due))[:1]._get_channel_settings()
    while due:
        now = min(due.values())
        batch = Callback.browse(sorted(cid for cid, when in due.items() if when == now))
        with freeze_time(now):
            outcomes = {
                c.id: "reached" if answers(seed, c.partner_id.id, patterns[c.partner_id.id], now) else "no_answer"
                for c in batch
            }
            vals_list = [
                c._prepare_attempt_vals("phone", outcomes[c.id], settings=settings, blocked=set()) for c in batch
            ]
            queries = env.cr.sql_log_count
            batch._log_attempts(vals_list)
            env.flush_all()
            if stats is not None:
                stats["batches"] += 1
                stats["calls"] += len(batch)
                stats["queries"] += env.cr.sql_log_count - queries
            reached = batch.browse([cid for cid, outcome in outcomes.items() if outcome == "reached"])
            reached.write({"state": "done", "completed_date": now})
        for callback in batch:
            del due[callback.id]
            result[callback.id] = (result[callback.id][0] + 1, outcomes[callback.id] == "reached")
            nxt = callback.next_attempt_date
            if callback.state in ("scheduled", "in_progress") and nxt and nxt < deadline[callback.id]:
                due[callback.id] = nxt
    return result


def close_open(env, callbacks):
    callbacks.filtered(lambda c: c.state in ("scheduled", "in_progress")).write(
        {"state": "cancelled", "next_attempt_date": False}
    )


def history(env, patterns, rounds, seed):
    env.company.callback_learn_best_time = False  # history: how the addon calls today
    for week in range(rounds):
        starts = new_callbacks(env, patterns, week, seed)
        simulate(env, starts, patterns, seed)
        close_open(env, env["claim.callback"].browse([c.id for c in starts]))
        env.flush_all()


def measure(result, patterns, partner_of, names):
    rows = [r for cid, r in result.items() if patterns[partner_of[cid]] in names]
    done = sum(answered for _tries, answered in rows)
    tries = sum(t for t, _a in rows)
    minutes = sum(t * RING_MINUTES + (CALL_MINUTES - RING_MINUTES) * a for t, a in rows)
    return {
        "reached_72h": done / len(rows) if rows else 0.0,
        "attempts_per_completion": tries / done if done else float("inf"),
        "agent_minutes_per_completion": minutes / done if done else float("inf"),
    }


def run_arms(env, patterns, week, seed):
    """The same new claims called by the fixed interval and by the learned hour: {arm: {group: figures}}."""
    starts = new_callbacks(env, patterns, week, seed)
    env.flush_all()
    partner_of = {c.id: c.partner_id.id for c in starts}
    figures = {}
    for arm, learn in (("fixed", False), ("learned", True)):
        env.cr.execute("SAVEPOINT best_time_arm")
        env.company.callback_learn_best_time = learn
        stats = Counter()
        result = simulate(env, starts, patterns, seed, stats)
        groups = {"all": PATTERNS, "regular": REGULAR, "irregular": IRREGULAR, **{name: [name] for name in PATTERNS}}
        figures[arm] = {group: measure(result, patterns, partner_of, names) for group, names in groups.items()}
        figures[arm]["queries_per_batch"] = stats["queries"] / max(stats["batches"], 1)
        figures[arm]["calls_per_batch"] = stats["calls"] / max(stats["batches"], 1)
        env.flush_all()
        env.cr.execute("ROLLBACK TO SAVEPOINT best_time_arm")
        env.invalidate_all()
    return figures


def main():
    args = parser(__doc__)
    args.add_argument("--n", type=int, default=600)
    args.add_argument("--rounds", type=int, default=3)
    args.add_argument("--seed", type=int, default=2)
    with odoo_env(args) as (opts, env):
        patterns = setup(env, opts.n, opts.seed)
        history(env, patterns, opts.rounds, opts.seed)
        env["claim.callback.reach"]._recompute(env.company)  # the nightly rebuild agrees with the increments
        figures = run_arms(env, patterns, opts.rounds, opts.seed)
        out("customers", opts.n)
        out("history_rounds", opts.rounds)
        for group in ("all", "regular", "irregular"):
            for name in ("reached_72h", "attempts_per_completion", "agent_minutes_per_completion"):
                for arm in ("fixed", "learned"):
                    out(f"{group}_{name}_{arm}", figures[arm][group][name])
            fixed, learned = figures["fixed"][group], figures["learned"][group]
            out(f"{group}_reached_72h_gain_pct", 100 * (learned["reached_72h"] / fixed["reached_72h"] - 1))
            out(
                f"{group}_attempts_per_completion_cut_pct",
                100 * (1 - learned["attempts_per_completion"] / fixed["attempts_per_completion"]),
            )
        for pattern in PATTERNS:
            for arm in ("fixed", "learned"):
                out(f"{pattern}_reached_72h_{arm}", figures[arm][pattern]["reached_72h"])
        for arm in ("fixed", "learned"):
            out(f"calls_per_batch_{arm}", figures[arm]["calls_per_batch"])
            out(f"queries_per_batch_{arm}", figures[arm]["queries_per_batch"])
        env.cr.rollback()  # leave the database as it was
    return figures


if __name__ == "__main__":
    main()
