"""SPARQL text handled by the SPARQL grammar's own rules: tokens, IRIs, canonical text.

The service judges a query on these tokens and the engine executes their re-serialisation,
so what the policy saw is what runs (no second parser to disagree with).
"""
