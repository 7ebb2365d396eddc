#!/bin/sh
# test_report.sh — the table generator's unit tests (tests/test_report.py, unittest): each test
# prints one check line and counts like the shell checks.
# shellcheck source=tests/lib.sh
. tests/lib.sh
python3 tests/test_report.py
