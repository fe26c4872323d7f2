"""`python -m safet_filer` runs the command line."""

from safet_filer.cli import main

main()
