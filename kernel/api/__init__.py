"""REST plumbing shared by every app's views."""
