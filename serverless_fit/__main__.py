"""Entry point for `python -m serverless_fit`."""

from serverless_fit.cli import main

main()
