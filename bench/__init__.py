"""`make bench`: shop under load, measured against a floor, and the price of an API boundary.

See docs/PERFORMANCE.md for the method and the figures.
"""
