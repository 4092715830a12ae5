"""HR set-up of the organisation (filled in by the admin capability)."""
