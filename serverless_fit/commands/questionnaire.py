"""`init`: the questions that describe a workload, the checks on each answer, and the
commented workload file written from the answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from serverless_fit.format.units import PARSERS, UnitError
from serverless_fit.format.vocabulary import (
    DEFAULT_TRIGGERS,
    Archetype,
    Level,
    Provider,
    Runtime,
    Trigger,
    choices,
)
from serverless_fit.format.yamltext import line, scalar

SKIP = "-"  # an answer that leaves an optional field out
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")

Answers = dict[str, Any]  # dotted field path -> value as the file holds it


@dataclass(frozen=True)
class Question:
    path: str  # dotted field path in the workload
    option: str  # the `init` option that answers it without asking
    prompt: str
    kind: str  # text, choice, duration, rate, size, number, yes-no, list
    comment: str  # what the file says next to the field
    example: str  # shown, commented out, when the field is left out
    choices: tuple[str, ...] = ()
    required: bool = False
    default: Callable[[Answers], str | None] = field(default=lambda answers: None)

    def check(self, text: str, answers: Answers) -> Any:
        """The answer as the file holds it; ValueError says what is allowed."""
        answer = text.strip()
        if self.kind == "text":
            if self.path == "name" and not NAME_PATTERN.match(answer):
                raise ValueError("letters, digits, '-', '_' and '.' only, e.g. checkout-api")
            if not answer:
                raise ValueError("an answer is needed")
            return answer
        if self.kind == "choice":
            if answer not in self.choices:
                raise ValueError(f"one of {', '.join(self.choices)}")
            return answer
        if self.kind == "yes-no":
            lowered = answer.lower()
            if lowered in ("y", "yes", "true"):
                return True
            if lowered in ("n", "no", "false"):
                return False
            raise ValueError("yes or no")
        if self.kind == "number":
            try:
                number = float(answer)
            except ValueError:
                raise ValueError("a number, e.g. 16") from None
            if self.path == "resources.cpus" and not 0 < number <= 1024:
                raise ValueError("vCPUs above 0, e.g. 0.5 or 2")
            if self.path == "traffic.active_hours_per_day" and not 0 <= number <= 24:
                raise ValueError("hours between 0 and 24")
            return int(number) if number == int(number) else number
        if self.kind == "list":
            items = [item.strip() for item in answer.split(",") if item.strip()]
            for item in items:
                if self.choices and item not in self.choices:
                    raise ValueError(f"a comma-separated list of {', '.join(self.choices)}")
            return items
        try:
            value = PARSERS[self.kind](answer)
        except UnitError as error:
            raise ValueError(error.allowed) from None
        _in_order(self.path, value, answers)
        return answer

    def default_for(self, answers: Answers) -> str | None:
        return self.default(answers)


def _in_order(path: str, value: Any, answers: Answers) -> None:
    """Cross-field order the format requires (typical <= max, average <= peak), and a typical
    run no longer than the p99 objective, which every request would otherwise miss."""
    if path == "duration.typical" and answers.get("latency.p99"):
        objective = PARSERS["duration"](answers["latency.p99"])
        if value > objective:
            raise ValueError(
                f"at most the p99 objective of {objective}, which every request would miss "
                "(or go back: Ctrl-C, and give a p99 that can be met)"
            )
    pairs = {"duration.max": "duration.typical", "traffic.peak": "traffic.average"}
    if path in pairs and pairs[path] in answers:
        kind = "duration" if path.startswith("duration") else "rate"
        lower = PARSERS[kind](answers[pairs[path]])
        if value < lower:
            raise ValueError(f"at least the {pairs[path]} of {lower}")


def _http(answers: Answers) -> bool:
    trigger = answers.get("trigger") or DEFAULT_TRIGGERS.get(str(answers.get("archetype")))
    return trigger == "http"


QUESTIONS: tuple[Question, ...] = (
    Question("name", "name", "Workload name", "text", "required; unique within a batch",
             "checkout-api", required=True),
    Question("description", "description", "One line on what it does", "text",
             "one line on what it does", "..."),
    Question("owner", "owner", "Owning team", "text", "who answers for it", "team-name"),
    Question("archetype", "archetype", "Archetype", "choice", "required", "api",
             choices(Archetype), required=True, default=lambda a: "api"),
    Question("runtime", "runtime", "Runtime", "choice", "drives the cold-start estimate",
             "python", choices(Runtime), default=lambda a: "python"),
    Question("trigger", "trigger", "Trigger", "choice", "default from the archetype", "http",
             choices(Trigger),
             default=lambda a: DEFAULT_TRIGGERS.get(str(a.get("archetype")), "event")),
    Question("latency.p99", "p99", "p99 latency objective ('-' if nobody waits for it)",
             "duration", "the objective at p99", "300ms",
             default=lambda a: "1s" if _http(a) else None),
    Question("duration.typical", "typical", "Typical run time of one request or job",
             "duration", "", "120ms", default=lambda a: "200ms"),
    Question("duration.max", "max", "Longest run", "duration", "", "2s",
             default=lambda a: "2s"),
    Question("duration.waiting", "waiting",
             "Of the typical run, time spent waiting on other services", "duration",
             "billed while it waits", "80ms", default=lambda a: None),
    Question("traffic.pattern", "pattern", "Traffic pattern", "choice", "",
             "spiky", ("steady", "spiky", "periodic", "sporadic"), default=lambda a: "spiky"),
    Question("traffic.average", "average", "Average rate over the month", "rate",
             "long-run average", "40/s", default=lambda a: "10/s"),
    Question("traffic.peak", "peak", "Peak rate", "rate", "", "900/s",
             default=lambda a: None if a.get("traffic.pattern") == "steady" else "100/s"),
    Question("traffic.active_hours_per_day", "active-hours-per-day",
             "Hours a day the traffic comes in", "number", "", "16", default=lambda a: "24"),
    Question("resources.memory", "memory", "Memory per request or job", "size", "",
             "512MiB", default=lambda a: "512MiB"),
    Question("resources.cpus", "cpus", "vCPUs per request or job (may be fractional)", "number",
             "", "1", default=lambda a: None),
    Question("resources.architecture", "architecture", "CPU architecture", "choice", "",
             "x86_64", ("x86_64", "arm64"), default=lambda a: "x86_64"),
    Question("resources.gpu", "gpu", "Needs a GPU? (yes/no)", "yes-no", "", "false",
             default=lambda a: "no"),
    Question("resources.payload", "payload", "Largest request or response body", "size",
             "", "200KiB", default=lambda a: None),
    Question("resources.package", "package", "Deployable package, unzipped", "size",
             "larger packages start slower", "80MiB", default=lambda a: None),
    Question("resources.ephemeral_storage", "ephemeral-storage",
             "Scratch disk per request or job", "size", "", "512MiB", default=lambda a: None),
    Question("state.connections", "connections", "Long-lived client connections?",
             "choice", "", "none", ("none", "long-lived"), default=lambda a: "none"),
    Question("state.in_memory_sessions", "in-memory-sessions",
             "Sessions kept in instance memory? (yes/no)", "yes-no", "", "false",
             default=lambda a: "no"),
    Question("state.local_disk", "local-disk", "Needs a persistent local disk? (yes/no)",
             "yes-no", "", "false", default=lambda a: "no"),
    Question("dependencies", "dependencies",
             "Services it calls, comma-separated (e.g. dynamodb, postgres)", "list",
             "vendor-specific ones raise lock-in", "[dynamodb, sqs]", default=lambda a: None),
    Question("constraints.portability", "portability", "Must it be portable across clouds?",
             "choice", "", "preferred", ("none", "preferred", "required"),
             default=lambda a: "preferred"),
    Question("constraints.providers", "providers", "Allowed providers, comma-separated",
             "list", "narrows --target all", "[aws]", choices(Provider),
             default=lambda a: None),
    Question("constraints.local_testing", "local-testing",
             "Must the tests run offline on a laptop?", "choice", "", "required",
             ("optional", "required"), default=lambda a: "optional"),
    Question("constraints.compliance", "compliance", "Compliance tags, comma-separated",
             "list", "reported; rule packs may score them", "[pci-dss]", default=lambda a: None),
    Question("team.ops_capacity", "ops-capacity", "Team's capacity to run servers",
             "choice", "", "medium", choices(Level), default=lambda a: "medium"),
    Question("team.time_to_market", "time-to-market", "Time-to-market pressure", "choice",
             "", "medium", choices(Level), default=lambda a: "medium"),
)  # fmt: skip

SECTIONS = ("latency", "duration", "traffic", "resources", "state", "constraints", "team")
SECTION_COMMENTS = {
    "latency": "omit when nobody waits for the answer",
    "duration": "wall time of one unit of work (request, event, job)",
    "traffic": "average over the month; peak for bursts",
    "resources": "per request or job",
    "state": "what the workload keeps between requests",
    "constraints": "what the organisation requires",
    "team": "who runs it",
}


def render(answers: Answers) -> str:
    """The workload file: answered fields, and the others as commented-out examples."""
    lines = [
        "# A serverless-fit workload (format version 1).",
        "# Check it: serverless-fit validate FILE; assess it: serverless-fit assess FILE",
        '# Fields left out (commented below) make their rules "not assessed".',
    ]
    by_path = {q.path: q for q in QUESTIONS}
    for question in QUESTIONS:
        if "." in question.path:
            continue
        if question.path in answers:
            value = scalar(answers[question.path])
            lines.append(line("", question.path, value, question.comment))
        else:
            lines.append(line("# ", question.path, question.example, question.comment))
    for section in SECTIONS:
        members = [q for q in QUESTIONS if q.path.startswith(f"{section}.")]
        given = [q for q in members if q.path in answers]
        lines.append("")
        prefix = "" if given else "# "
        lines.append(line(prefix, section, "", SECTION_COMMENTS[section]))
        for question in members:
            key = question.path.split(".", 1)[1]
            if question.path in answers:
                value = scalar(answers[question.path])
                lines.append(line("  ", key, value, by_path[question.path].comment))
            else:
                lines.append(line("#   ", key, question.example, question.comment))
    return "\n".join(lines) + "\n"


def check_file(text: str, file: str) -> None:
    """The written file loads as a valid workload; raises InputError otherwise."""
    from serverless_fit.format.loader import load_text

    load_text(text, file)
