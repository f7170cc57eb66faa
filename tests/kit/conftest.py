"""The card-number tests pay and reverse through the settlements routes, on their accounts."""

from tests.settlements.conftest import new_account  # noqa: F401 - the fixture
