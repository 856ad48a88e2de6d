"""The grammar of names in this domain: what a name's words say about what it names.

An organisation is recognised by how its name is built ("University of X",
"X NHS Foundation Trust", "X County Council", "Centre for X", "Office for X"),
a programme by its head word ("... Collaboration", "... Programme") or an
"NIHR ..." prefix, a person by honorifics and post-nominals. Nothing here knows
any particular organisation: curated names live in the register (data/).
"""
from __future__ import annotations

import re

HONORIFICS = {"professor", "prof", "sir", "dame", "dr", "mr", "mrs", "ms", "miss", "lord", "baroness", "lady",
              "cllr", "councillor", "rev", "revd"}
POSTNOMINALS = {"cbe", "obe", "mbe", "frs", "fmedsci", "kbe", "dbe", "frcp", "frcgp", "frcs", "frcpsych", "phd",
                "md", "frse", "fba", "frcn", "fpph", "ffph", "dl", "qc", "kc", "frcpch", "frcog", "mp", "ms", "msc"}
#: Words that head a role title ("Chief Executive of ...", "Dean of ...").
ROLE_HEADS = {"director", "co-director", "executive", "professor", "head", "dean", "chair", "co-chair", "chairman",
              "chairwoman", "chairperson", "president", "vice-president", "vice-chancellor", "chancellor", "lead",
              "co-lead", "leader", "manager", "officer", "ceo", "cfo", "coo", "cmo", "cso", "consultant", "lecturer", "fellow", "researcher",
              "statistician", "secretary", "minister", "councillor", "member", "founder", "principal", "provost",
              "registrar", "nurse", "reader", "scientist", "advisor", "adviser", "coordinator", "convenor",
              "champion", "clinician", "physician", "surgeon", "psychiatrist", "epidemiologist", "economist",
              "midwife", "pharmacist", "therapist", "trustee", "governor", "mayor", "deputy"}
#: Words that qualify a role title ("Joint Chief ...", "Pro Vice-...").
ROLE_WORDS = ROLE_HEADS | {"joint", "chief", "deputy", "associate", "assistant", "senior", "principal", "clinical",
                           "medical", "nursing", "academic", "scientific", "strategic", "programme", "research",
                           "interim", "acting", "national", "regional", "honorary", "emeritus", "visiting",
                           "cabinet", "general", "pro", "vice", "operating", "financial", "executive", "non-executive",
                           "managing", "portfolio", "theme", "public", "health", "local", "care", "digital", "data",
                           "innovation", "engagement", "and", "of", "for", "the", "at", "in", "co"}
#: Common capitalised words that start a sentence but never a name.
STARTERS = {"the", "this", "that", "these", "those", "both", "through", "during", "in", "our", "we", "today", "currently",
            "founded", "additionally", "as", "at", "for", "from", "with", "by", "since", "under", "over", "working",
            "about", "after", "before", "all", "also", "an", "a", "and", "but", "each", "every", "if", "it", "its",
            "new", "now", "on", "once", "one", "so", "some", "such", "their", "there", "they", "to", "when",
            "where", "while", "why", "how", "what", "which", "who", "yesterday", "last", "next", "here", "his", "her",
            "my", "your", "many", "more", "most", "other", "several", "two", "three", "four", "five", "six", "seven",
            "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "twenty",
            "thirty", "dozens", "hundreds", "across",
            "between", "beyond", "alongside", "together", "subject", "please", "read", "find", "contact", "visit",
            "learn", "join", "watch", "share", "funded", "led", "hosted", "based", "speaking", "commenting",
            "meanwhile", "however", "further", "first", "finally", "following", "welcoming", "according", "dear", "not", "only", "than", "then", "thanks", "until", "upon", "via", "within", "without",
            "yes", "no"}
#: Words that name no particular place or body on their own ("Clinical Research Network").
GENERIC = {"academic", "academy", "advanced", "allied", "applied", "and", "association", "authority", "biomedical",
           "board", "borough", "british", "business", "care", "centre", "center", "children", "city", "clinical",
           "college", "collaboration", "combined", "commercial", "community", "council", "county", "data", "dental",
           "department", "development", "digital", "district", "division", "education", "english", "evaluation",
           "faculty", "for", "foundation", "general", "global", "government", "group", "health", "healthcare",
           "hospital", "hospitals", "improvement", "in", "innovation", "institute", "integrated", "international",
           "local", "medical", "medicine", "mental", "metropolitan", "national", "network", "nhs", "nursing", "of",
           "office", "partnership", "population", "primary", "programme", "public", "regional", "research",
           "royal", "school", "science", "sciences", "service", "services", "social", "studies", "system", "teaching",
           "the", "trust", "trusts", "unit", "universities", "university", "associate", "translational",
           "partners", "organisation", "organisations", "providers", "provider", "scheme", "initiative",
           "statistics", "life", "policy", "practice", "outcomes", "wellbeing", "collaborative", "alliance",
           "consortium", "charity", "charities", "new", "joint", "partner", "member", "members", "strategic", "formal", "all", "our", "status",
           "hub"}
#: Prefixes that make an all-generic name a national body rather than a phrase.
_NATIONAL_PREFIX = ("united kingdom ", "uk ", "national ", "england ", "english ", "welsh ", "scottish ")

_ORG_RULES: list[tuple[str, re.Pattern]] = [(cls, re.compile(rx)) for cls, rx in [
    ("GovernmentBody", r"(?:^|\s)Research Council$|^UK Research and Innovation$|^National Institute (?:for|of) |"
                       r"^Office (?:for|of) |^Department (?:for|of Health and Social Care$)|^Public Health [A-Z]|"
                       r"\b(?:Agency|Government|Executive|Commission|Inspectorate|Regulator)$|^Health Education [A-Z]|"
                       r"^Chief Scientist Office$|^Health and Care Research [A-Z]|^NHS England$|^Care Quality Commission$|"
                       r"^(?!(?:North|South|East|West|Central|Mid|Northern|Southern|Eastern|Western|Greater|Rural|Coastal|Urban|"
                       r"Across|All|In|Of|New|The)\b)[A-Z][a-z]+ (?:England|Scotland|Wales)$"),  # national bodies: 'Sport England'
    ("LocalAuthority", r"\b(?:County|City|Borough|District|Metropolitan Borough|Town|Unitary) Council$|"
                       r"\bCombined Authority$|^(?:London|Royal) Borough of [A-Z]|^[A-Z][\w'’-]+(?: (?:[A-Z][\w'’-]+|(?:and|&|of|upon|on|the)(?= [A-Z])))* Council$"),
    ("University", r"^University of (?:the )?[A-Z]|^[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)* University (?!(?:Group|Trusts?|Hospitals?|Partnership|Alliance|Network|Centre|"
                   r"Institute|College|School|Foundation|Board|Status|Partners)$)[A-Z][\w'’-]+$|^(?:[A-Z][\w'’-]+ )+School of [A-Z]|^[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)* University$|^University College [A-Z]|"
                   r"\bCollege London$|^Imperial College\b|\bUniversity of [A-Z][\w'’-]+$"),
    ("NHSTrust", r"\bNHS (?:Foundation )?Trust$|\bFoundation Trust$|\b(?:Partnership|Hospitals?|Healthcare|"
                 r"Ambulance Service|Care) Trust$|\b(?:University )?Health Board$|\bIntegrated Care Board$|"
                 r"^NHS [A-Z][\w'’-]+(?: (?:and )?[A-Z][\w'’-]+)*(?<!Charity)(?<!Charities)(?<!Appeal)$|\b(?:Hospital|Infirmary|Hospitals)$"),
    ("ResearchNetwork", r"\bNetwork(?: (?:and |of |the )?[A-Z][\w'’-]+)*$|"
                        r"\bHealth Innovation (?!(?:[A-Z][\w'’-]+ )*(?:Partnership|Campus|Centre|Hub|Fund|Programme|Park)$)"
                        r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?(?: (?:and|&) [A-Z][\w'’-]+)?$"),
    ("OrganisationalUnit", r"^(?:School|Department|Faculty|College|Division|Directorate) (?:of|for) [A-Z]|"
                           r"\b(?:Medical|Business|Law|Dental|Nursing) School$"),
    ("ResearchCentre", r"^(?:(?:North|South|East|West) of )?(?:[A-Z][\w'’-]+ )*(?:Centre|Center|Institute|Observatory|Laboratory|Research Unit|Facility|Hub)(?: (?:for|of|on) [A-Z].*)?$|"
                       r"\b(?:Research|Sciences?|Trials|Epidemiology|Evaluation|Policy|Health|Intelligence|Analytics) Unit$|"
                       r"\bCentre$|\bInstitute$"),
    ("OrganisationGroup", r"\b(?:Group|Alliance|Consortium|Collaborative|Partnership|Partners|Federation|"
                          r"Integrated Care System|Integrated Care Partnership)$"),
    ("Charity", r"\b(?:Foundation|Trust|Society|Association|Charity|Charities|Hospice|Appeal)$|\bCouncil for (?:[A-Z][\w'’-]+ )*[A-Z][\w'’-]+$|^Healthwatch [A-Z]|"
                r"^[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)* UK$|\b(?:Voluntary|Community) Action\b"),
    ("Company", r"\b(?:Ltd|Limited|plc|PLC|LLP|Inc)$"),
]]
_PROGRAMME = re.compile(r"\b(?:Collaborations?|Programmes?|Program|Scheme|Initiative|Project|Accelerator|"
                        r"Portfolio|Pathway|Challenge|Fund|Pilot|Co-operative|Cooperative|Awards|Fellowships|City Deal|City-Region Deal|Region Deal)\b(?! (?:Trust|Council|University|Network|Centre|Institute))"
                        r"|^Collaboration (?:for|in|on) ")
_PLURAL_HEAD = re.compile(r"\b(?:Trusts|Universities|Councils|Networks|Centres|Institutes|Collaborations|"
                          r"Programmes|Schemes|Authorities|Boards|Organisations|Providers|Groups)\b")
ACRONYM = re.compile(r"^(?=[A-Za-z0-9&-]*[A-Z][A-Za-z0-9&-]*[A-Z])[A-Z][A-Za-z0-9&-]{1,9}$")
NOT_NAMES = {"uk", "nhs", "gp", "gps", "covid", "covid-19", "ceo", "phd", "mou", "mous", "faq", "pdf", "url", "a&e",
             "eu", "usa", "us", "tv", "bbc", "it", "ai", "ict", "hr", "ict-gcp", "ich-gcp", "q&a"}


def tidy(name: str) -> str:
    """One spelling per name: single spaces, '&' as 'and', no leading 'the', no possessive."""
    name = " ".join(name.replace("’", "'").split())
    name = re.sub(r"^(?:[Tt]he|[Aa]n?|[Oo]ur|[Ii]ts|[Tt]heir)\s+", "", name)
    name = re.sub(r"'s?$", "", name)
    return re.sub(r"\s*&\s*", " and ", name).strip(" ,;:.-")


#: Two capitalised words run together ('McAllister', 'LeBlanc'): a name, not an acronym.
_CAMEL = re.compile(r"^[A-Z][a-z]+[A-Z][a-z]{2,}$")


def is_acronym(token: str) -> bool:
    return bool(ACRONYM.match(token)) and token.lower() not in NOT_NAMES and not _CAMEL.match(token)


def is_generic(name: str) -> bool:
    """True when every word is domain vocabulary, so the name picks out no particular body."""
    return all(w.lower().strip("'’") in GENERIC for w in name.split())


#: 'Public Health Minister Jane Roe': a title and a person's name, not a body.
_TITLED_PERSON = re.compile(r"\b(?:Minister|Secretary|Chancellor|Councillor|Cllr|Mayor|Commissioner) "
                            r"(?:[A-Z][a-z’'-]+ ){1,2}[A-Z][a-z’'-]+$")


def org_class(name: str, generic_ok: bool = False) -> str | None:
    """The organisation class a name's grammar implies, or None when it is not an organisation's name.

    A name made only of domain words ('Research Centre') is no particular body unless `generic_ok`
    (it was defined with an acronym) or its grammar is that of a national body or named unit."""
    if _PLURAL_HEAD.search(name.split()[-1]) or _PROGRAMME.search(name) and not _strong_org(name) or _TITLED_PERSON.search(name):
        return None
    for cls, rx in _ORG_RULES:
        if rx.search(name):
            if is_generic(name) and not generic_ok and not _national(name, cls) and not (
                    cls == "Charity" and len(name.split()) >= 2):
                return None
            return cls
    return None


def _strong_org(name: str) -> bool:
    return bool(re.search(r"\b(?:Trust|Council|University|Network|Centre|Institute|Board|Agency|Group)$", name))


def _national(name: str, cls: str) -> bool:
    lower = name.lower() + " "
    if cls == "ResearchCentre":
        return bool(re.match(r"^(?:\w+ )*(?:centre|center|institute) (?:for|of|on) ", lower))
    if cls in ("GovernmentBody", "OrganisationalUnit"):
        return cls == "GovernmentBody" or bool(re.match(r"^(?:school|department|faculty|college|division) (?:of|for) ", lower))
    return lower.startswith(_NATIONAL_PREFIX)


def is_programme_name(name: str) -> bool:
    """'... Research Collaboration X', '... Programme', 'NIHR <something not an organisation>'."""
    if name.startswith("NIHR ") and len(name.split()) > 1:
        rest = name[5:]
        if org_class(rest) is not None:
            return False
        return bool(_PROGRAMME.search(rest)) or is_acronym(rest.split()[0]) or len(rest.split()) >= 3
    return bool(_PROGRAMME.search(name)) and not _strong_org(name)


def is_plural_generic(name: str) -> bool:
    return bool(re.search(r"(?:Collaborations|Programmes|Schemes|Initiatives|Centres|Centers|Units|Networks|Facilities|"
                          r"Hubs|Schools|Partnerships|Institutes|Deals|[A-Z]{2,}s)(?: in (?:England|Scotland|Wales|"
                          r"Northern Ireland|the UK)| (?:for|of|in) [A-Z][\w'’&-]*(?: (?:[A-Z][\w'’&-]*|and|&|of|for|in))*)?$",
                          name))


def initials(name: str) -> set[str]:
    """Acronyms a name may be written as: initials of its capitalised words, with and without NHS/of/for."""
    words = [w for w in re.split(r"[\s-]+", name) if w]
    caps = [w for w in words if w[0].isupper() or w[0].isdigit()]
    out = {"".join(w[0] for w in caps).upper()}
    out.add("".join(w[0] for w in caps if w not in ("NHS",)).upper())
    out.add("".join(w[0] for w in caps if w not in ("NHS", "Foundation")).upper())
    out.add("".join(w[0] for w in words if w.lower() not in ("and", "&", "the")).upper())
    return {o for o in out if len(o) >= 2}


def place_of(name: str) -> str | None:
    """The place-like words of a name ('University of Bath' -> 'Bath'), for possessive and short references."""
    words = [w for w in name.split() if w.lower() not in GENERIC and w[:1].isupper()]
    return " ".join(words) or None
