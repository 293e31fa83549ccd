"""Helpers the tests share (never a test module imported by name): paths and fixture types
(paths), a copy of the small review and capture servers (capture), batch rounds (batch), DfE
files made up for the tests (dfe), the bad-input corpus's cases and runner (bad_inputs), and the
real-browser tests' servers (browser). Imported as ``support.<module>``: tests/ is on sys.path
(pytest's rootdir-relative import of tests/conftest.py)."""
