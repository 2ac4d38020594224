"""Outgoing webhooks (issue 23): the deliveries' outbox (``wh_deliveries``, filled by
the webhooks read model in the transaction of each event it applies), signed per the
Standard Webhooks specification and sent by a follower that claims each delivery
under a lease, posts it, and records the attempt."""
