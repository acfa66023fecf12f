"""A Content-Security-Policy on every response, so that injected markup cannot run a script.

HTML pages — the admin, the browsable API, Swagger UI, error pages — load scripts, styles,
fonts and images from the shop itself only, run no inline script, may not be framed and post
forms only to the shop. Every script they need is a static file (Swagger UI's start-up script
included: `shop.urls.DocsView` serves it from its own URL).

DRF's templates put inline `style` attributes on the browsable API's pages and its login page
(and a `<style>` for pygments when it is installed), so those pages alone allow inline styles;
scripts stay `'self'` only everywhere. Everything that is not HTML (JSON, the schema, static
files) gets `default-src 'none'`: no document of the API may load anything. Django's debug
error pages (`DEBUG` on) are inline HTML and keep no policy.
"""

from django.conf import settings
from rest_framework.renderers import BrowsableAPIRenderer

HEADER = "Content-Security-Policy"


def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


HTML_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
HTML_POLICY = _policy(HTML_DIRECTIVES)
DRF_HTML_POLICY = _policy({**HTML_DIRECTIVES, "style-src": "'self' 'unsafe-inline'"})
NON_HTML_POLICY = _policy({"default-src": "'none'", "frame-ancestors": "'none'"})


class ContentSecurityPolicyMiddleware:
    """Adds the policy that fits the response, unless the view set one itself."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            policy = policy_for(request, response)
            if policy is not None:
                response[HEADER] = policy
        return response


def policy_for(request, response) -> str | None:
    if not response.get("Content-Type", "").startswith("text/html"):
        return NON_HTML_POLICY
    if settings.DEBUG and response.status_code >= 400:
        return None
    match = getattr(request, "resolver_match", None)
    if isinstance(getattr(response, "accepted_renderer", None), BrowsableAPIRenderer) or (
        match is not None and match.namespace == "rest_framework"
    ):
        return DRF_HTML_POLICY
    return HTML_POLICY
