"""Media: stored photos, their variants, and the sweep of files nothing names."""

from __future__ import annotations

from hub.area import Area, Periodic
from hub.media import orphans

AREA = Area(name="media", sweeps=(Periodic(orphans.sweep_orphan_photos, every=orphans.EVERY),))
