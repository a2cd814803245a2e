"""Email: queued in the transaction of its cause, sent by `flask outbox work`."""
