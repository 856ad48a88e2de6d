"""The ontology is read from Turtle and aligned with the established vocabularies."""
import pytest
import rdflib
from rdflib.namespace import OWL, RDFS

from collabgraph import ontology
from collabgraph.ontology import CG, iris

REQUIRED_PROPERTIES = {"memberOf", "party", "partner", "fundedBy", "hostedBy", "partOf", "hasTheme",
                       "succeeds", "partnersWith"}


def test_terms_come_from_the_turtle_and_typos_fail():
    assert CG.memberOf.value == ontology.NS + "memberOf"
    with pytest.raises(AttributeError, match="not a term"):
        CG.memberof  # noqa: B018


def test_object_properties_have_exactly_the_agreed_local_names():
    assert REQUIRED_PROPERTIES <= set(ontology.object_properties())


def test_organisation_subtypes_the_sources_need():
    subtypes = set(ontology.subclasses("Organisation"))
    assert {"University", "NHSTrust", "LocalAuthority", "GovernmentBody", "ResearchNetwork", "ResearchCentre",
            "OrganisationalUnit", "OrganisationGroup"} <= subtypes
    assert {"MemorandumOfUnderstanding", "FormalPartnership", "DataSharingAgreement"} <= set(ontology.subclasses("Agreement"))


@pytest.mark.parametrize("local, external", [
    ("Organisation", "http://www.w3.org/ns/org#Organization"),
    ("Person", "http://xmlns.com/foaf/0.1/Person"),
    ("Programme", "http://schema.org/Project"),
    ("Theme", "http://www.w3.org/2004/02/skos/core#Concept"),
    ("Membership", "http://www.w3.org/ns/org#Membership"),
    ("Source", "http://www.w3.org/ns/prov#Entity"),
])
def test_classes_align_with_established_vocabularies(local, external):
    g = ontology.ontology_graph()
    assert (rdflib.URIRef(ontology.NS + local), RDFS.subClassOf, rdflib.URIRef(external)) in g


def test_partners_with_is_symmetric():
    assert (rdflib.URIRef(CG.partnersWith.value), rdflib.RDF.type, OWL.SymmetricProperty) in ontology.ontology_graph()


def test_kind_of_walks_up_the_hierarchy():
    assert ontology.kind_of("NHSTrust") == "Organisation"
    assert ontology.kind_of("MemorandumOfUnderstanding") == "Agreement"


def test_iris_are_deterministic_and_prefer_external_identifiers():
    assert iris.entity_iri("Organisation", "Some University", {"ror": "01abc2345"}) == iris.ID + "organisation/ror-01abc2345"
    assert iris.entity_iri("Organisation", "Côte & Co. Trust") == iris.ID + "organisation/cote-and-co-trust"
    assert iris.entity_iri("Person", "Jane Smith") == iris.entity_iri("Person", "Jane Smith")
    assert iris.from_local_id(iris.local_id(iris.ID + "person/jane-smith")) == iris.ID + "person/jane-smith"
