"""Patrols: routes, checkpoints, schedules, shifts, rounds, check-ins and the log book."""
