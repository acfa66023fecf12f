"""The shared kernel: plumbing that every app may import, and that imports no app.

Money, domain-error base classes, idempotency, who may do what (staff rights as Django's
permissions, and the migration operation that creates the staff groups) and the REST plumbing
(error shape, pagination, the staff permission class, throttles) live here so that the apps
agree on them without importing each other.
"""
