"""TFP: the growth-accounting model, macro data, its export and charts."""
