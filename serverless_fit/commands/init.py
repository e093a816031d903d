"""`serverless-fit init`: a questionnaire that writes a workload file.

Loaded only when the command runs (see cli._Group), so that its many options cost nothing
to the other commands' start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from serverless_fit.commands.common import F, fail, usage_problem, write_report


def _question_options(command: F) -> F:
    """One option per questionnaire question, so that `init` can run without asking."""
    from serverless_fit.commands.questionnaire import QUESTIONS

    for question in reversed(QUESTIONS):
        command = click.option(
            f"--{question.option}",
            f"answer_{question.path.replace('.', '__')}",
            default=None,
            metavar=question.kind.upper() if question.kind != "choice" else None,
            type=click.Choice(question.choices) if question.kind == "choice" else str,
            # a prompt that is a question keeps its question mark, without a full stop
            help=question.prompt if question.prompt.endswith("?") else f"{question.prompt}.",
        )(command)
    return command


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), default="workload.yaml")
@click.option(
    "--non-interactive",
    is_flag=True,
    help="Ask nothing: write the fields given as options (--name and --archetype at least).",
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@_question_options
def init(file: Path, non_interactive: bool, force: bool, **options: str | None) -> None:
    """Describe a workload in a short questionnaire and write a commented workload file.

    Each answer is checked as it is given; options answer questions up front.

    \b
    Examples:
      serverless-fit init services/checkout.yaml
      serverless-fit init w.yaml --non-interactive --name checkout-api --archetype api \\
        --runtime python --p99 300ms --average 40/s --peak 900/s --memory 512MiB
    """
    from serverless_fit.commands.questionnaire import QUESTIONS, SKIP, Answers, check_file, render
    from serverless_fit.errors import InputError

    if file.exists() and not force:
        fail([usage_problem(str(file), "exists; allowed: a new file, or --force to overwrite it")])
    answers: Answers = {}
    problems = []
    asked = False
    for question in QUESTIONS:
        given = options.get(f"answer_{question.path.replace('.', '__')}")
        if given is not None:
            try:
                answers[question.path] = question.check(given, answers)
            except ValueError as error:
                problems.append(
                    usage_problem(f"--{question.option}", f"found {given!r}; allowed: {error}")
                )
            continue
        if non_interactive:
            if question.required:
                problems.append(usage_problem(f"--{question.option}", "missing; it is required"))
            continue
        if not asked:
            click.echo(
                f"Enter takes the answer in brackets; '{SKIP}' leaves a question out (its "
                "rules are then not assessed); Ctrl-C stops without writing anything."
            )
            asked = True
        value = _ask(question, answers, file.stem)
        if value is not SKIP:
            answers[question.path] = value
    if problems:
        fail(problems)
    text = render(answers)
    try:
        check_file(text, str(file))
    except InputError as error:
        fail(error.problems)
    write_report([text], file)
    click.echo(f"wrote {file}; next: serverless-fit assess {file}", err=True)


def _ask(question: Any, answers: dict[str, Any], stem: str) -> Any:
    """Ask until the answer is valid; an empty answer takes the default, '-' leaves it out.
    The name defaults to the file's name."""
    from rich.console import Console
    from rich.prompt import Prompt

    from serverless_fit.commands.questionnaire import NAME_PATTERN, SKIP

    console = Console(highlight=False)
    default = question.default_for(answers)
    if question.path == "name":
        default = stem if NAME_PATTERN.match(stem) else None
    while True:
        try:
            text = Prompt.ask(
                question.prompt,
                console=console,
                default=default if default is not None else ("" if question.required else SKIP),
                show_default=default is not None or not question.required,
            )
        except EOFError:  # answers piped in ran out: nothing is written
            console.print()
            message = (
                f"the input ended at the question {question.prompt!r}; allowed: an answer to "
                "every question, or --non-interactive with options"
            )
            fail([usage_problem("init", message)])
        if text.strip() == SKIP and not question.required:
            return SKIP
        try:
            return question.check(text, answers)
        except ValueError as error:
            console.print(f"  allowed: {error}", style="red", markup=False)
