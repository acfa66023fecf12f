"""A complete, valid address for tests that place orders that will be shipped."""

ADDRESS = {
    "name": "Casey Customer",
    "line1": "1 Main Street",
    "line2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "US",
    "phone": "",
}
