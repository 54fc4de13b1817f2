"""Placeholder until these tests are written: reports a skip."""
import sys
print("test_kringd: not written yet")
sys.exit(77)
