"""`python -m cbcf_data`: the `cbcf-data` command."""

from cbcf_data.cli import run

run()
