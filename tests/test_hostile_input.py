"""Property-based: random and hostile input to every door (register_attempt, register_result,
the CTI webhook, the questionnaire link) gives a result or a clear 4xx / UserError, never a
server error, and a refused call writes nothing."""

import contextlib
import json
from datetime import timedelta
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import CallbackCase

EXAMPLES = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
)
CHANNELS = ["phone", "sms", "email", "wechat", "app"]
OUTCOMES = ["reached", "no_answer", "busy", "wrong_number", "refused", "call_back_later", "message_sent"]
hostile = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet="你好<>\"'%;\\\x00", max_size=20),
    st.lists(st.text(max_size=5), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
# a non-empty path segment (an empty or dot segment is the URL's normalisation, answered by a redirect)
# (NUL is left out: Odoo's fallback for unknown URLs fails on it before any route of ours is involved; so is
# "/": an encoded slash is decoded and the URL normalised by a 301 before any route is involved)
url_chars = st.characters(blacklist_characters="\x00/", blacklist_categories=("Cs",))
segment = st.text(url_chars, min_size=1, max_size=10).filter(lambda t: t not in (".", ".."))
long_segment = st.text(url_chars, min_size=1, max_size=300).filter(lambda t: t not in (".", ".."))
texts = st.one_of(hostile, st.text(max_size=200), st.just("x" * 10_001), st.just("好" * 10_000))


class HostileCase(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        claim = cls._closed_claims(1)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "=", claim.id)])
        cls.callback = claim.callback_ids
        cls.callback.user_id = cls.agent_1

    @contextlib.contextmanager
    def _rolled_back(self):
        """Each example starts from the same callback: its writes are undone afterwards."""
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT hostile_example")
        try:
            yield
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT hostile_example")
            self.env.invalidate_all()

    def _footprint(self):
        self.env.invalidate_all()
        cb = self.callback
        return (cb.state, cb.satisfaction, cb.feedback, len(cb.attempt_ids), len(cb.feedback_ticket_ids),
                cb.sla_paused_since, cb.first_attempt_date)


@tagged("post_install", "-at_install")
class TestHostileServiceCalls(HostileCase):
    @EXAMPLES
    @given(
        channel=st.one_of(st.sampled_from(CHANNELS), hostile),
        outcome=st.one_of(st.sampled_from(OUTCOMES), hostile),
        duration=st.one_of(st.integers(min_value=0, max_value=86_400), hostile),
        note=texts,
        callback_at=st.one_of(st.none(), st.just("2099-01-01 10:00:00"), hostile),
    )
    def test_register_attempt_never_breaks(self, channel, outcome, duration, note, callback_at):
        with self._rolled_back():
            before = self._footprint()
            try:
                attempt = self.callback.with_user(self.agent_1).register_attempt(
                    channel, outcome, duration, note, callback_at=callback_at
                )
            except UserError:
                self.assertEqual(self._footprint(), before, "a refused attempt writes nothing")
            else:
                self.assertEqual((attempt.channel, attempt.outcome, attempt.user_id), (channel, outcome, self.agent_1))

    @EXAMPLES
    @given(
        satisfaction=st.one_of(st.integers(min_value=1, max_value=5), hostile),
        nps=st.one_of(st.none(), st.integers(min_value=0, max_value=10), hostile),
        feedback=texts,
        issues=st.one_of(st.none(), st.lists(st.text(max_size=40), max_size=3), hostile,
                         st.lists(hostile, max_size=3)),
    )
    def test_register_result_never_breaks(self, satisfaction, nps, feedback, issues):
        with self._rolled_back():
            before = self._footprint()
            try:
                self.callback.with_user(self.agent_1).register_result(satisfaction, nps, feedback, issues)
            except UserError:
                self.assertEqual(self._footprint(), before, "a refused result writes nothing")
            else:
                self.assertEqual((self.callback.state, self.callback.satisfaction), ("done", satisfaction))


@tagged("post_install", "-at_install")
class TestHostileRoutes(HostileCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cti_user = cls._user("icc_cti_h", "insurance_claim_callback.group_callback_integration",
                                 callback_capacity=0)
        cls.team.user_ids = [Command.link(cls.cti_user.id)]
        cls.key = cls.env["res.users.apikeys"].with_user(cls.cti_user)._generate(
            None, "cti", fields.Datetime.now() + timedelta(days=1)
        )

    @EXAMPLES
    @given(
        body=st.one_of(
            st.dictionaries(
                st.sampled_from(["call_id", "callback_id", "result", "duration", "note", "x"]),
                st.one_of(hostile, st.sampled_from(["BUSY", "ANSWERED", "CALLBACK_REQUESTED"])),
                max_size=6,
            ),
            hostile,
        ),
        raw=st.booleans(),
    )
    def test_cti_webhook_answers_4xx_or_success_never_500(self, body, raw):
        if isinstance(body, dict) and "callback_id" not in body:
            body["callback_id"] = self.callback.id
        data = str(body).encode("utf-8", "surrogatepass") if raw else json.dumps(body, allow_nan=True)
        with self._rolled_back():
            before = self._footprint()
            response = self.opener.post(
                self.base_url() + "/claim_callback/cti/generic",
                data=data,
                timeout=30,
                headers={"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname,
                         "Authorization": f"bearer {self.key}"},
            )
            self.assertIn(response.status_code, (200, 201, 400, 403, 404, 409, 422), response.text[:300])
            if response.status_code >= 400:
                self.assertEqual(self._footprint(), before)

    @EXAMPLES
    @given(
        callback_id=st.one_of(st.integers(min_value=-5, max_value=2**70), segment),
        expiry=st.one_of(st.integers(min_value=-(2**40), max_value=2**70), segment),
        signature=st.one_of(segment, long_segment),
    )
    def test_survey_link_answers_4xx_never_500(self, callback_id, expiry, signature):
        path = f"/claim_callback/survey/{quote(str(callback_id), safe='')}/{quote(str(expiry), safe='')}/"
        response = self.url_open(path + quote(signature, safe=""), allow_redirects=False)
        self.assertIn(response.status_code, (403, 404, 409, 410), response.text[:300])
