"""The shared kernel: plumbing that every app may import, and that imports no app.

Money, domain-error base classes, idempotency and the REST plumbing (error shape, pagination,
permissions, throttles) live here so that the apps agree on them without importing each other.
"""
