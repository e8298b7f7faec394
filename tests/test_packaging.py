import ast
import pathlib
import subprocess
import sys
import tempfile
import unittest
import zipfile
from email.parser import HeaderParser

from odoo.tests import TransactionCase, tagged

ROOT = pathlib.Path(__file__).resolve().parents[1]
ADDON = "odoo/addons/insurance_claim_callback/"


@tagged("post_install", "-at_install")
@unittest.skipUnless((ROOT / "pyproject.toml").is_file(), "an installed wheel has no pyproject.toml to build from")
class TestPackaging(TransactionCase):
    """`pip install` of the checkout gives odoo/addons/insurance_claim_callback without development files."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls._tmp.cleanup)
        # Offline: the build backend (whool) comes from requirements.txt, not from an index.
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", cls._tmp.name,
             ROOT],
            check=True,
            capture_output=True,
        )
        (wheel,) = pathlib.Path(cls._tmp.name).glob("*.whl")
        cls.wheel_name = wheel.name
        with zipfile.ZipFile(wheel) as zf:
            cls.names = zf.namelist()
            (metadata,) = [n for n in cls.names if n.endswith(".dist-info/METADATA")]
            cls.metadata = HeaderParser().parsestr(zf.read(metadata).decode())

    def test_wheel_installs_the_addon_under_odoo_addons(self):
        self.assertTrue(self.wheel_name.startswith("odoo_addon_insurance_claim_callback-19.0."), self.wheel_name)
        self.assertIn(ADDON + "__manifest__.py", self.names)
        self.assertIn(ADDON + "__init__.py", self.names)
        folders = ("models", "views", "security", "data", "i18n", "static", "wizards", "controllers", "report", "lib")
        for folder in folders:
            self.assertTrue(any(n.startswith(f"{ADDON}{folder}/") for n in self.names), f"{folder}/ not in the wheel")
        for data_file in ast.literal_eval((ROOT / "__manifest__.py").read_text())["data"]:
            self.assertIn(ADDON + data_file, self.names)

    def test_wheel_leaves_development_files_out(self):
        self.assertTrue((ROOT / "bench").is_dir() and (ROOT / "tools").is_dir())  # they exist, and stay home
        shipped = {n[len(ADDON) :].split("/")[0] for n in self.names if n.startswith(ADDON)}
        for dev in ("bench", "tools", "docs", ".ci", ".local", "pyproject.toml", "requirements.txt", ".pylintrc-mandatory"):
            self.assertNotIn(dev, shipped)
        self.assertFalse([n for n in self.names if "__pycache__" in n or n.endswith(".pyc")])

    def test_wheel_metadata_carries_the_manifest_dependencies(self):
        manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text())
        requires = self.metadata.get_all("Requires-Dist")
        self.assertEqual(self.metadata["Name"], "odoo-addon-insurance_claim_callback")
        self.assertEqual(self.metadata["Version"], manifest["version"])
        self.assertIn("odoo==19.0.*", requires)
        self.assertIn("odoo-addon-helpdesk_mgmt==19.0.*", requires)
        for package in manifest["external_dependencies"]["python"]:
            self.assertIn(package, requires)
