"""Deep Text Lab's tests: core units, AppTest page tests and browser tests."""
