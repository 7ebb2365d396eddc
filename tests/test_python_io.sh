#!/bin/sh
# test_python_io.sh — the CPython arm on the network and the notes' patterns (issues 14 and 15;
# tests/test_python_io.py, unittest, run with Debian's /usr/bin/python3): each test prints one
# check line and counts like the shell checks.
# shellcheck source=tests/lib.sh
. tests/lib.sh
/usr/bin/python3 tests/test_python_io.py
