"""Products, categories, stock and prices."""
