"""`flask results ...`: the round's results for other tools."""

from flask.cli import AppGroup

results_cli = AppGroup("results", help="A round's results.")
