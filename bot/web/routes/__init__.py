"""Route modules of the web application; each exposes ``ROUTES``."""
