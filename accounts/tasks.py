"""The accounts app's background tasks (run by the Celery worker; see shop/celery.py)."""

import smtplib

from celery import shared_task

from accounts import services


@shared_task(
    name=services.PASSWORD_RESET_EMAIL_TASK,
    # A mail server that does not answer or refuses for now is tried again, with backoff.
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    max_retries=5,
)
def send_password_reset_email(user_id: int) -> None:
    """Email a password-reset link (`accounts.services.send_password_reset_email`)."""
    services.send_password_reset_email(user_id=user_id)
