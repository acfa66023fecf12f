"""Payment-gateway abstraction, payments, refunds and webhooks: the top layer of shop."""
