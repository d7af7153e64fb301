"""The connector's writes, one module per concern:

- `outbox`    what an order or notice event writes, in its transaction: platform messages, webhook
              messages, the change feed entry
- `delivery`  sending the outbox, in order per stream, with retries and backoff
- `transport` one HTTP JSON POST, signed; the platform's field and code mapping
"""
