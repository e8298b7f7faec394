import random
from collections import Counter

from odoo.tests import TransactionCase, tagged

from ..lib import experiment


@tagged("post_install", "-at_install")
class TestExperimentLib(TransactionCase):
    def test_assignment_is_stable_and_follows_the_shares_on_a_large_batch(self):
        claim_ids = random.Random(20261207).sample(range(1, 10**7), 20_000)
        counts = Counter(experiment.variant_index(3, claim_id, [50, 30, 20]) for claim_id in claim_ids)
        for index, share in enumerate((50, 30, 20)):
            self.assertAlmostEqual(100 * counts[index] / len(claim_ids), share, delta=1.0)
        self.assertEqual([experiment.variant_index(3, i, [50, 30, 20]) for i in claim_ids[:50]],
                         [experiment.variant_index(3, i, [50, 30, 20]) for i in claim_ids[:50]])

    def test_experiments_split_the_same_claims_independently(self):
        claim_ids = range(1, 4001)
        first = [experiment.variant_index(1, i, [50, 50]) for i in claim_ids]
        second = [experiment.variant_index(2, i, [50, 50]) for i in claim_ids]
        agree = sum(a == b for a, b in zip(first, second, strict=True)) / len(first)
        self.assertAlmostEqual(agree, 0.5, delta=0.04)

    def test_wilson_interval_matches_newcombe_1998(self):
        low, high = experiment.wilson(81, 263)
        self.assertAlmostEqual(low, 0.2553, places=4)
        self.assertAlmostEqual(high, 0.3662, places=4)

    def test_rate_difference_is_newcombe_method_10(self):
        # Newcombe 1998, Table II, example (a): 56/70 against 48/80, method 10: +0.0524 to +0.3339
        difference, low, high = experiment.rate_difference(56, 70, 48, 80)
        self.assertEqual(difference, 20.0)
        self.assertAlmostEqual(low, 5.24, places=2)
        self.assertAlmostEqual(high, 33.39, places=2)
        self.assertIsNone(experiment.rate_difference(1, 0, 3, 10))

    def test_mean_difference_is_welch_interval(self):
        # [10, 12, 9, 11, 13] against [8, 9, 7, 10, 6]: 3 ± t(0.975, df 8) × 1 = 3 ± 2.306
        difference, low, high = experiment.mean_difference(11, 2.5, 5, 8, 2.5, 5)
        self.assertEqual(difference, 3)
        self.assertAlmostEqual(low, 0.694, places=3)
        self.assertAlmostEqual(high, 5.306, places=3)
        self.assertIsNone(experiment.mean_difference(11, 2.5, 1, 8, 2.5, 5))

    def test_t_quantiles_match_the_tables(self):
        # Student's t table: t(0.975, 8) = 2.306, t(0.975, 20) = 2.086, t(0.9875, 4) = 3.495, t(0.99, 12) = 2.681
        for p, df, exact in ((0.975, 8, 2.306), (0.975, 20, 2.086), (0.9875, 4, 3.495), (0.99, 12, 2.681)):
            self.assertAlmostEqual(experiment.t_quantile(p, df), exact, delta=0.003 if df < 8 else 0.0006)

    def test_verdict_and_bonferroni_level(self):
        self.assertEqual(experiment.verdict((6.1, 1.2, 11.0)), "leads")
        self.assertEqual(experiment.verdict((6.1, 1.2, 11.0), higher_is_better=False), "trails")
        self.assertEqual(experiment.verdict((2.0, -1.0, 5.0)), "unclear")
        self.assertEqual(experiment.comparison_level(1), 0.95)
        self.assertAlmostEqual(experiment.comparison_level(2), 0.975)
