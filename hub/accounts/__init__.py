"""Users, passwords, sessions, profiles and skills."""
