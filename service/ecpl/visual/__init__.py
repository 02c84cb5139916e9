"""Pictures built from the graph: the case timeline of a validation report and the ontology
diagrams. Plain functions that return layout models; the templates draw them as inline SVG."""
