"""Package metadata: one version, typed, stubs shipped."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import assay

ROOT = Path(__file__).resolve().parents[2]


def test_one_version_source():
    """CMakeLists.txt's project() is the only place the version is written: the wheel's
    metadata (scikit-build-core's regex provider) and the compiled module both read it."""
    cmake_version = re.search(r"project\(assay VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)
    assert assay.__version__ == cmake_version
    assert importlib.metadata.version("assay") == cmake_version
    assert 'version = "' not in (ROOT / "pyproject.toml").read_text().split("[project.optional-dependencies]")[0]


def test_typed_package():
    metadata = importlib.metadata.metadata("assay")
    assert "Typing :: Typed" in metadata.get_all("Classifier")
    assert (Path(assay.__file__).parent / "py.typed").exists()
