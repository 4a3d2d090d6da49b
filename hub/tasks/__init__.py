"""Repair tasks: report, triage, assign, fix, and ask the reporter whether it is fixed."""
