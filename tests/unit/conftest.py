"""Unit tests run without a database or a network: asking for one is a mistake, said loudly."""

import pytest


@pytest.fixture
def db_url():
    pytest.fail("tests/unit takes no database: move this test to tests/integration")
