"""When does this customer answer the phone? Pure Python: no Odoo.

The week has 168 hours (`hour_of_week` = weekday × 24 + hour, Monday 00:00 = 0, the customer's
local time). For every hour we count phone tries and answers (answered = "reached" or "call back
later") at three levels: the customer, their segment, the company.

Hierarchical Beta–Binomial, with fixed pseudo-counts (empirical-Bayes shrinkage, no fitting):
each level's rate at hour h is a Beta posterior mean whose prior is the level above:

    company rate r0        = (A + 1) / (T + 2)                      Beta(1, 1) over all its tries
    company  p_c(h)        = (a_c(h) + K_COMPANY·r0)     / (t_c(h) + K_COMPANY)
    segment  p_s(h)        = (a_s(h) + K_SEGMENT·p_c(h)) / (t_s(h) + K_SEGMENT)   (no segment: p_c)
    customer, same hour of the day on the same kind of day (Mon–Fri or Sat–Sun), pooled:
             p_d(h)        = (a_d(h) + K_DAY·p_s(h))     / (t_d(h) + K_DAY)
    customer p(h)          = (a_u(h) + K_CELL·p_d(h))    / (t_u(h) + K_CELL)

K is a number of pseudo-tries: a customer's 2 answers in 2 tries at Tuesday 19:00 move that hour
from a segment rate of 30 % to (2 + 3·0.3)/(2 + 3) = 58 % at the pooled level, then
(2 + 2·0.58)/(2 + 2) = 79 %; one unanswered try at 12:00 moves 30 % only to 18 %. With no data
a level is its prior. Pooling the weekdays lets an answer on Tuesday 19:00 speak for Wednesday 19:00.

The next try: among the whole hours inside the calling window from the interval's time on (the
interval's own time first), over HORIZON_HOURS, the one with the highest p(h)·DECAY^(wait in days);
the earliest wins a tie. Waiting a day must buy a clearly better hour.
"""

from datetime import datetime, timedelta

HOURS = 168
K_COMPANY = 20.0
K_SEGMENT = 10.0
K_DAY = 3.0
K_CELL = 2.0
MIN_TRIES = 3  # a customer with fewer phone tries keeps the fixed retry interval
HORIZON_HOURS = 72
DECAY = 0.8  # per day of waiting
USUAL_SHARE = 0.8  # "usually answers": the hours within 80 % of the best one


def hour_of_week(local):
    return local.weekday() * 24 + local.hour


def _weekend(how):
    return how // 24 >= 5


class Profile:
    """A customer's reach probability per hour of the week, with its figures for the screen.

    `customer`, `segment`, `company`: {hour_of_week: (tries, answers)}."""

    def __init__(self, customer, segment, company):
        self.customer, self.segment, self.company = customer, segment, company
        tries = sum(t for t, _a in company.values())
        answers = sum(a for _t, a in company.values())
        self.company_rate = (answers + 1) / (tries + 2)
        self.tries = sum(t for t, _a in customer.values())
        self.answers = sum(a for _t, a in customer.values())
        pooled = {}
        for how, (t, a) in customer.items():
            key = (_weekend(how), how % 24)
            pt, pa = pooled.get(key, (0, 0))
            pooled[key] = (pt + t, pa + a)
        self._pooled = pooled
        self._cache = {}

    @property
    def has_history(self):
        return self.tries >= MIN_TRIES

    def levels(self, how):
        """(company, segment, pooled, customer) rates at hour `how`."""
        if how not in self._cache:
            t, a = self.company.get(how, (0, 0))
            p_company = (a + K_COMPANY * self.company_rate) / (t + K_COMPANY)
            t, a = self.segment.get(how, (0, 0))
            p_segment = (a + K_SEGMENT * p_company) / (t + K_SEGMENT)
            t, a = self._pooled.get((_weekend(how), how % 24), (0, 0))
            p_day = (a + K_DAY * p_segment) / (t + K_DAY)
            t, a = self.customer.get(how, (0, 0))
            self._cache[how] = (p_company, p_segment, p_day, (a + K_CELL * p_day) / (t + K_CELL))
        return self._cache[how]

    def chance(self, how):
        return self.levels(how)[3]

    def best_slot(self, candidates):
        """The best of [(local datetime, utc datetime)], in order of time: (local, utc, chance)."""
        best = None
        start = candidates[0][0] if candidates else None
        for local, utc in candidates:
            chance = self.chance(hour_of_week(local))
            wait_days = (local - start).total_seconds() / 86400
            score = chance * DECAY**wait_days
            if best is None or score > best[0] + 1e-12:
                best = (score, local, utc, chance)
        return best and best[1:]

    def usual_block(self, window_hours):
        """When the customer usually answers: (days, first hour, last hour + 1, mean chance) or None.

        days: "weekdays", "weekend", "every day" or a tuple of weekday numbers. `window_hours`: the
        hours of the day inside the calling window."""
        if not self.has_history or not window_hours:
            return None
        best_how = max(
            (d * 24 + h for d in range(7) for h in window_hours), key=lambda how: (self.chance(how), -how)
        )
        best, hour = self.chance(best_how), best_how % 24
        days = tuple(d for d in range(7) if self.chance(d * 24 + hour) >= USUAL_SHARE * best)

        def mean(h):
            return sum(self.chance(d * 24 + h) for d in days) / len(days)

        level = USUAL_SHARE * mean(hour)
        first = last = hour
        while first - 1 in window_hours and mean(first - 1) >= level:
            first -= 1
        while last + 1 in window_hours and mean(last + 1) >= level:
            last += 1
        chance = sum(mean(h) for h in range(first, last + 1)) / (last - first + 1)
        label = {(0, 1, 2, 3, 4): "weekdays", (5, 6): "weekend", tuple(range(7)): "every day"}.get(days, days)
        return label, first, last + 1, chance


def window_candidates(start_utc, to_local, to_utc, in_window, horizon_hours=HORIZON_HOURS):
    """[(local, utc)] of `start_utc` then each following whole local hour within the horizon
    that `in_window(utc)` accepts. `to_local` / `to_utc` convert naive datetimes."""
    local = to_local(start_utc)
    result = [(local, start_utc)] if in_window(start_utc) else []
    hour = datetime(local.year, local.month, local.day, local.hour) + timedelta(hours=1)
    end = local + timedelta(hours=horizon_hours)
    while hour < end:
        utc = to_utc(hour)
        if utc > start_utc and in_window(utc):
            result.append((hour, utc))
        hour += timedelta(hours=1)
    return result
