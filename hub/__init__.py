"""Hub: volunteer patrols, repair tasks, events and notices for a residential building."""
