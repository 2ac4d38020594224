"""openinno: an event-sourced open-innovation challenge platform (write side)."""

__version__ = "0.1.0"
