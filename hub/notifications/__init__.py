"""Web Push notifications: the outbox, subscriptions, preferences, quiet hours and the worker.

Areas call `outbox.notify()` inside their write transactions and register their words with
`texts.notification_text` and their periodic producers with `sweeps.sweep`; this package
imports none of them."""
