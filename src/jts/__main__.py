"""`python -m jts` is the same as the `jts` command."""

from jts.cli import main

main()
