"""The command line: the top-level group, assembled from the command modules."""

from __future__ import annotations

import os
import sys

import click

from serverless_fit import __version__
from serverless_fit.commands import assess, platforms, rules, schema, validate
from serverless_fit.commands.common import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    ISSUES_URL,
    silence_stdout,
)

# Commands whose module loads only when they run or are listed: their options are many.
LAZY_COMMANDS = {
    "init": "serverless_fit.commands.init",
    "measure": "serverless_fit.commands.measure",
}


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it; 1 is for failed thresholds
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(BaseException):
    """SIGTERM, raised where the process is so that cleanup runs as for KeyboardInterrupt."""


class _Group(click.Group):
    """Turns an unexpected exception into one line and exit code 3 instead of a traceback,
    and loads the lazy commands on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            import importlib

            command: click.Command = getattr(
                importlib.import_module(LAZY_COMMANDS[cmd_name]), cmd_name
            )
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        import signal

        # SIGTERM unwinds like Ctrl-C, so that every `finally` runs: workers are stopped and a
        # half-written report's temporary file removed; the exit codes are the shell's.
        def terminated(number: int, _frame: object) -> None:
            raise Terminated(number)

        signal.signal(signal.SIGTERM, terminated)
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            sys.exit(EXIT_INTERRUPTED)
        except Terminated:
            sys.exit(EXIT_TERMINATED)
        except BrokenPipeError:  # the reader stopped reading (`| head`): stop quietly
            silence_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except Exception as error:  # a bug: one line saying where, unless --debug
            if ctx.params.get("debug"):
                import traceback

                traceback.print_exc()
                sys.exit(EXIT_INTERNAL)
            from serverless_fit.errors import AssessmentError

            if isinstance(error, AssessmentError):
                what = f" {error}"  # "while assessing FILE: Type: message"
            else:
                what = f": {type(error).__name__}: {error}"
            click.echo(
                f"serverless-fit: internal error{what}\n"
                f"This is a bug; please report it at {ISSUES_URL} "
                "(run again with --debug for the traceback)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="serverless-fit")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def main(debug: bool) -> None:
    """Should this workload run serverless, where, at what cost, and what would change the answer?

    \b
    Example:
      serverless-fit assess workloads/checkout-api.yaml
    """
    # The tool's models are its own: no pydantic plugin is meant to observe them, and looking
    # the plugins up reads the metadata of every installed package (about 15 ms of each run).
    # Set when the command runs, not on import, and a value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


main.add_command(assess.assess)
main.add_command(assess.baseline)
main.add_command(validate.validate)
main.add_command(schema.schema)
main.add_command(platforms.platforms)
main.add_command(rules.rules)
