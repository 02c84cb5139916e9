"""Linked data: dereferenceable IRIs, ontology documentation, VoID and exports.

The domain logic here reads the graph only through :class:`ecpl.linkeddata.access.GraphAccess`,
so the same functions serve the Flask blueprint (over the service's store), the ``ecpl export``
command and the tests (over an rdflib Dataset).
"""
