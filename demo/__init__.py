"""The demo: replay servers and the case-study dataset used by ``make demo`` and the tests."""
