"""The hypothesis profile of the bad-input tests.

By default every property runs a small, fixed set of examples (derandomized, so a CI
run is repeatable and stays within its time); `SURVEY_FUZZ_EXAMPLES=2000` runs that many
random examples per property instead (each run explores new ones). Hypothesis keeps no
example database, and its caches live in the temporary directory: nothing is written
into the repository.
"""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import core as hypothesis_core
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.vendor import pretty
from schemathesis.generation.hypothesis import setup as schemathesis_setup

from tests.bad_input.strategies import LONG_RUN, PROFILE

# schemathesis (loaded with its pytest plugin) swaps Hypothesis's printer for one that
# prints nothing, for its own speed, which leaves every failing example of every test
# blank ("post=,"). Let it make its changes now, then put the printer back.
schemathesis_setup()
hypothesis_core.RepresentationPrinter = pretty.RepresentationPrinter

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "survey-app-hypothesis")

settings.register_profile(
    PROFILE,
    max_examples=LONG_RUN or 30,
    deadline=None,
    database=None,
    derandomize=not LONG_RUN,
    print_blob=True,
    # The examples are requests to the app on a real database: some are slow, and
    # long texts are large on purpose. A test's fixtures (its app and database) serve
    # all of its examples, so each example starts from rows of its own, never from
    # what an earlier one stored.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
