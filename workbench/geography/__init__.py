"""Geography: NUTS and country codes (one place for their patterns and rules)."""
