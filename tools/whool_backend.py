"""PEP 517 build backend: whool, on a staged copy of this checkout.

The repository root is the addon, so whool alone would (1) name the distribution after the
checkout's folder, which is not always ``insurance_claim_callback``, and (2) ship every file
under git control, development folders included. This backend copies the addon into a
temporary folder named after the addon, leaving out what only developers use, and lets whool
build from there: the wheel installs ``odoo/addons/insurance_claim_callback``.

The source distribution keeps everything (this backend lives in tools/); a wheel built from it
leaves the same folders out.
"""

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from whool import buildapi as whool

ADDON = "insurance_claim_callback"
# Top-level entries that never go into the wheel: development tools, benches, the README screenshots, the development
# requirements (the wheel's metadata carries the manifest's dependencies), linters' settings.
# Anything starting with a dot (.ci/, .local/, .pylintrc, ...) is left out as well.
DEV_ONLY = {"bench", "tools", "docs", "build", "dist", "requirements.txt", "prettier.config.cjs", "eslint.config.cjs"}


def _tracked_files(root):
    """Files under git control (whool's rule), else every file when there is no git."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=root, check=True, capture_output=True
        ).stdout.decode()
        return [f for f in out.split("\0") if f and (root / f).is_file()]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in ("__pycache__", ".git")]
            files += [os.path.relpath(os.path.join(dirpath, f), root) for f in filenames]
        return [f for f in files if not f.endswith(".pyc")]


def _is_dev_only(path):
    top = Path(path).parts[0]
    return top.startswith(".") or top in DEV_ONLY


@contextmanager
def _staged(dev_files):
    """Yield a temporary ``insurance_claim_callback`` folder holding this checkout's files."""
    root = Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / ADDON
        for f in _tracked_files(root):
            if dev_files or f in ("pyproject.toml", "PKG-INFO") or not _is_dev_only(f):
                (stage / f).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / f, stage / f)
        cwd = os.getcwd()
        os.chdir(stage)
        try:
            yield
        finally:
            os.chdir(cwd)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_directory = os.path.abspath(wheel_directory)
    with _staged(dev_files=False):
        return whool.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    sdist_directory = os.path.abspath(sdist_directory)
    with _staged(dev_files=True):
        return whool.build_sdist(sdist_directory, config_settings)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    metadata_directory = os.path.abspath(metadata_directory)
    with _staged(dev_files=False):
        return whool.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []
