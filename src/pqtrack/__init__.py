"""pqtrack: targets vs actuals for the Sóc Trăng productivity and quality plan."""

__version__ = "0.1.0"
