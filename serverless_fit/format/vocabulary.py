"""The format's word lists, kept free of pydantic so that the command line starts fast."""

from __future__ import annotations

import typing
from typing import Any, Literal

Archetype = Literal[
    "static-website",
    "web-app",
    "api",
    "mobile-backend",
    "media-processing",
    "iot-ingestion",
    "stream-processing",
    "event-processing",
    "batch-job",
    "scheduled-job",
    "ml-inference",
    "ml-training",
    "realtime",
    "other",
]
Trigger = Literal["http", "event", "queue", "stream", "schedule"]
Runtime = Literal["nodejs", "python", "java", "dotnet", "go", "rust", "ruby", "container", "other"]
Provider = Literal["aws", "azure", "gcp", "cloudflare"]
Level = Literal["low", "medium", "high"]

DEFAULT_TRIGGERS: dict[str, Trigger] = {
    "static-website": "http",
    "web-app": "http",
    "api": "http",
    "mobile-backend": "http",
    "ml-inference": "http",
    "realtime": "http",
    "stream-processing": "stream",
    "iot-ingestion": "stream",
    "scheduled-job": "schedule",
    "batch-job": "schedule",
}


def choices(literal: Any) -> tuple[str, ...]:
    """The words a Literal of this module allows, in the order the format lists them."""
    return tuple(str(value) for value in typing.get_args(literal))
