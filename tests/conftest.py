from pathlib import Path

import pytest

from autograder.sandbox import Zygote

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def zygote():
    """One warmed zygote for the whole run, started before any test loads reference solutions."""
    z = Zygote().start()
    yield z
    z.close()


@pytest.fixture(scope="session")
def course():
    from autograder.spec import load_course

    return load_course(ROOT)


@pytest.fixture(scope="session")
def oracle(course):
    from autograder.grade import ReferenceOracle

    return ReferenceOracle(course)
