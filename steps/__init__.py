"""Step definitions for the DIT business scenarios: thin, by concern; protocol logic is in harness/."""
