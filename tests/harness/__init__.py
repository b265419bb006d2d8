"""The shared test harness: waiting for a condition, factories, the permission matrix."""
