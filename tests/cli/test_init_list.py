"""Placeholder until these tests are written: reports a skip."""
import sys
print("test_init_list: not written yet")
sys.exit(77)
