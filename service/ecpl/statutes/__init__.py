"""Statute structure helpers: Chinese numerals, the LawRefBook layout, ``ecpl import-text``."""
