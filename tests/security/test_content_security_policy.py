"""Every HTML page carries a Content-Security-Policy that allows no inline script, and nothing on
those pages needs one: each script is a file of the shop's own. Before, HTML pages had no
policy at all. The browser tests (tests/browser/) prove the pages still work under it.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client

STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# DRF's templates carry inline style attributes: its pages allow inline styles, never scripts.
DRF = STRICT.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
NON_HTML = "default-src 'none'; frame-ancestors 'none'"
EXECUTABLE = {"", "text/javascript", "application/javascript", "module"}


class InlineCode(HTMLParser):
    """The inline scripts, `<style>` elements and `style` attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self._script = (
            tag == "script"
            and "src" not in attributes
            and (attributes.get("type") or "").lower() in EXECUTABLE
        )
        if tag == "style":
            self.styles.append("<style>")
        if "style" in attributes:
            self.styles.append(f"<{tag} style={attributes['style']!r}>")
        self.scripts.extend(f"<{tag} {name}=...>" for name in attributes if name.startswith("on"))

    def handle_data(self, data):
        if self._script and data.strip():
            self.scripts.append(data.strip()[:80])

    def handle_endtag(self, tag):
        self._script = False


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    return parser


PAGES = [
    ("anonymous", "/admin/login/", STRICT),
    ("staff", "/admin/", STRICT),
    ("staff", "/admin/catalog/product/", STRICT),
    ("staff", "/admin/catalog/product/{product}/change/", STRICT),
    ("staff", "/admin/catalog/product/add/", STRICT),
    ("staff", "/admin/orders/order/", STRICT),
    ("anonymous", "/api/v1/docs/", STRICT),
    ("anonymous", "/no-such-page/", STRICT),
    ("customer", "/api/v1/products/", DRF),
    ("customer", "/api/v1/products/{product}/", DRF),
    ("customer", "/api/v1/orders/", DRF),
    ("anonymous", "/api-auth/login/", DRF),
]


@pytest.mark.django_db
def test_every_kind_of_html_page_carries_the_policy_and_has_no_inline_script(
    product, staff, customer
):
    browsers = {"anonymous": Client(), "staff": Client(), "customer": Client()}
    browsers["staff"].force_login(staff)
    browsers["customer"].force_login(customer)
    found = {}
    for who, url, _ in PAGES:
        response = browsers[who].get(url.format(product=product.id), HTTP_ACCEPT="text/html")
        assert response["Content-Type"].startswith("text/html"), url
        inline = inline_code(response.content.decode())
        found[url] = (response.get("Content-Security-Policy"), inline.scripts, inline.styles)

    assert found == {
        url: (policy, [], found[url][2] if policy == DRF else []) for _, url, policy in PAGES
    }


@pytest.mark.django_db
def test_swagger_ui_loads_its_start_up_script_from_its_own_url(anon_client):
    page = anon_client.get("/api/v1/docs/").content.decode()
    script = anon_client.get("/api/v1/docs/?script=")

    assert '<script src="/api/v1/docs/?script="></script>' in page
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/api/v1/products/", "application/json"),
        ("/api/v1/health/", "application/json"),
        ("/api/v1/schema/", "application/vnd.oai.openapi"),
        ("/api/v1/docs/?script=", "*/*"),
        ("/api/v1/no-such-thing/", "text/html"),
    ],
)
def test_what_is_not_an_html_page_carries_a_policy_that_loads_nothing(anon_client, url, accept):
    response = anon_client.get(url, HTTP_ACCEPT=accept)

    assert response["Content-Security-Policy"] == NON_HTML


@pytest.mark.django_db
def test_djangos_debug_error_pages_keep_no_policy_since_they_are_inline_html(settings):
    settings.DEBUG = True

    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert "Content-Security-Policy" not in response
