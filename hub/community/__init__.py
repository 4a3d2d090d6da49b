"""Communities, buildings, memberships, invites and the first-start setup."""
