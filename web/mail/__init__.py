"""Outgoing mail: the notifications' transactional outbox (``nt_outbox``, filled by
the notifications read model in the transaction of each notification) sent by a
follower that claims each mail under a lease, sends it, and records its delivery."""
