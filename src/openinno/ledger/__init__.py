"""The tamper-evident log: an RFC 9162 Merkle tree over the event log, signed
checkpoints and proofs a legal team can check offline (pure code, no I/O)."""
