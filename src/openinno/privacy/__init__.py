"""Personal data: which event fields hold it, the per-person keys it is encrypted under,
and erasure by destroying those keys (decision 0032)."""
