"""Shared fixtures: no network, golden-file refresh flag, and a helper to build workloads."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from serverless_fit.rules.ruledocs import MINIMAL_WORKLOAD, merged

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ROOT / "workloads"
AS_OF = "2026-11-27"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/* from the current output; review the diff before committing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)


# Rule examples and tests build workloads the same way: a partial mapping laid over another.
deep_merge = merged


MINIMAL = MINIMAL_WORKLOAD
