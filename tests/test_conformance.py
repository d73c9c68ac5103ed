"""The conformance suite: every case under tests/conformance/ (data, not code) must hold."""
import pytest

from simulator.conformance import SERVICES, check, load_cases

CASES = load_cases()


def test_the_suite_covers_every_service_group_with_enough_cases():
    assert len(CASES) >= 80, len(CASES)
    by_service = {c.service for c in CASES}
    assert by_service == set(SERVICES), set(SERVICES) - by_service


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case):
    verdict = check(case)
    assert verdict.ok, "\n".join([case.url, *verdict.failures])
