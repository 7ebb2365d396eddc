#!/bin/sh
# test_python.sh — the CPython arm's tests (tests/test_python.py, unittest, run with Debian's
# /usr/bin/python3, which sees apt's python3-numpy): each test prints one check line and counts
# like the shell checks.
# shellcheck source=tests/lib.sh
. tests/lib.sh
/usr/bin/python3 tests/test_python.py
