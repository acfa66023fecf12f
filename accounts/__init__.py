"""Users, authentication and authorisation: the bottom layer of shop."""
