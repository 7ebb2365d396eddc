#!/bin/sh
# test_plan.sh — the planner's unit tests (tests/test_plan.py, unittest): each test prints one
# check line and counts like the shell checks.
# shellcheck source=tests/lib.sh
. tests/lib.sh
python3 tests/test_plan.py
