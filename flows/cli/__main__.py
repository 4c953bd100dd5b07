"""`python -m flows.cli`: the `outbound` command without its console script."""

from flows.cli.app import main

main()
