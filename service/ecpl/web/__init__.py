"""The HTTP service: a Flask app factory (:mod:`ecpl.web.app`) and one blueprint per resource."""
