"""Web Push notifications: the outbox, subscriptions, preferences, quiet hours and the worker.

Areas call `outbox.notify()` inside their write transactions and declare the kinds they send
(with their words and expiry) and their periodic sweeps in their area.py; this package imports
and names none of them."""
