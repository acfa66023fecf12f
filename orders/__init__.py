"""Order placement, processing and tracking."""
