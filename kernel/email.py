"""The shop's emails: one message as plain text and HTML, rendered from an app's templates.

An email named `<app>/email/<name>` is three templates: `<name>_subject.txt` (one line; its
whitespace is collapsed, since a header cannot hold a line break), `<name>.txt` (the body, in
`{% autoescape off %}`: plain text is not HTML) and `<name>.html` (the HTML alternative). Every
email is sent by the worker, never inside a request: a slow or absent mail server must not hold
up or fail a customer's request.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(*, template: str, context: Mapping[str, Any], to: Sequence[str]) -> None:
    """Render the email `template` (e.g. `"accounts/email/password_reset"`) with `context` and
    `shop_name`, and send it to `to` from `DEFAULT_FROM_EMAIL`; the mail server's errors
    (`smtplib.SMTPException`, `OSError`) are raised for the caller's retry."""
    context = {"shop_name": settings.SHOP_NAME, **context}
    subject = render_to_string(f"{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"{template}.txt", context),
        to=list(to),
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
