"""WildTrace."""
