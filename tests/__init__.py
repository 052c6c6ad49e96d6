"""Tests of the ce_course package (a package, so that module names like test_cli stay unique)."""
