"""Every controlled vocabulary of the dataset, in one place.

Each codelist maps a code to its English label and a one-line definition (and, where Canadian
readers meet it, a French label). Models, generated schemas, the data dictionary and the
contributor guide all read these tables; nothing else spells a code.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    """One value of a codelist."""

    label: str
    definition: str
    label_fr: str = ""


Codelist = dict[str, Code]

PHASE: Codelist = {
    "founding": Code("Founding phase", "The annual ministerial meetings of 1997-2012, numbered 1st to 12th.", "Phase fondatrice"),
    "reestablished": Code(
        "Reestablished phase",
        "Meetings since the forum was reestablished under the 2021 Roadmap, counted from 2022.",
        "Phase de rétablissement",
    ),
}

BASIS: Codelist = {
    "stated": Code("Stated", "A source states the value outright.", "Énoncé"),
    "inferred": Code(
        "Inferred",
        "No source states the value; it is deduced from what sources do say (see notes).",
        "Déduit",
    ),
}

DATE_PRECISION: Codelist = {
    "day": Code("Day", "The date is known to the day: YYYY-MM-DD.", "Jour"),
    "month": Code("Month", "Only the month is known: YYYY-MM.", "Mois"),
    "year": Code("Year", "Only the year is known: YYYY.", "Année"),
}

COUNTRY: Codelist = {
    "US": Code("United States", "ISO 3166-1 alpha-2 code of the United States.", "États-Unis"),
    "CA": Code("Canada", "ISO 3166-1 alpha-2 code of Canada.", "Canada"),
}

PARTIES: Codelist = {
    "US": Code("United States", "The United States alone undertook it.", "États-Unis"),
    "CA": Code("Canada", "Canada alone undertook it.", "Canada"),
    "both": Code("Both", "Both countries undertook it jointly.", "Les deux"),
}

CLASSIFICATION: Codelist = {
    "department": Code("Department", "A cabinet-level executive department (U.S.).", "Département"),
    "ministry": Code("Ministry", "A federal ministry or department headed by a minister (Canada).", "Ministère"),
    "agency": Code("Agency", "A law-enforcement, border or regulatory agency within a department.", "Agence"),
    "office": Code("Office", "An office held by one person, or a small office inside a department.", "Bureau"),
}

CAPACITY: Codelist = {
    "host": Code("Host", "Received the forum on behalf of the host country.", "Hôte"),
    "guest": Code("Guest", "Took part as a visiting principal.", "Invité"),
    "co-chair": Code("Co-chair", "Chaired or co-presided over the meeting.", "Coprésident"),
    "participant": Code("Participant", "Took part without a stated host, guest or chair role.", "Participant"),
}

ATTENDANCE_STATUS: Codelist = {
    "attended": Code("Attended", "A source says the person took part.", "Présent"),
    "absent": Code("Absent", "A source says the person was expected but did not take part.", "Absent"),
    "unknown": Code("Unknown", "The person is named in connection with the meeting, attendance unconfirmed.", "Inconnu"),
}

MODALITY: Codelist = {
    "commit": Code("Commit", "Worded as a commitment: 'committed to', 'commit to'.", "S'engager"),
    "pledge": Code("Pledge", "Worded as a pledge: 'pledged', 'pledging'.", "Promettre"),
    "agree": Code(
        "Agree",
        "Worded as an agreement or joint decision to act: 'agreed to', 'have agreed to', 'decided to'.",
        "Convenir",
    ),
    "will": Code("Will", "A plain future undertaking: 'will' and a verb of action.", "Futur"),
    "continue": Code("Continue", "An undertaking to keep doing something: 'will continue to'.", "Poursuivre"),
    "emphasize": Code(
        "Emphasize",
        "A call to act made by stressing, emphasizing or underscoring it, without a firmer verb.",
        "Souligner",
    ),
    "ongoing": Code(
        "Ongoing",
        "A joint effort reported as already under way ('are working together to').",
        "En cours",
    ),
    "direct": Code(
        "Direct",
        "The ministers instructed or directed their officials to act: 'instructed their officials to'.",
        "Charger",
    ),
    "welcome": Code("Welcome", "Welcomed a step taken or begun by others.", "Accueillir"),
    "announce": Code("Announce", "Announced a measure as decided or launched at the meeting.", "Annoncer"),
    "unstated": Code(
        "Unstated",
        "The source reports the undertaking without its original wording, so its firmness is unknown.",
        "Non précisé",
    ),
}

RELATION: Codelist = {
    "referenced": Code("Referenced", "Cited or discussed at the meeting; it existed before.", "Mentionné"),
    "signed": Code("Signed", "Signed by participants at the meeting.", "Signé"),
    "released": Code("Released", "Published or made public at the meeting.", "Publié"),
    "announced": Code("Announced", "Announced at the meeting as planned or forthcoming.", "Annoncé"),
    "established": Code("Established", "Created by decision of the meeting.", "Établi"),
}

INSTRUMENT_KIND: Codelist = {
    "act": Code("Act", "A statute in force.", "Loi"),
    "bill": Code("Bill", "A bill before or passed by a legislature, cited under its bill number.", "Projet de loi"),
    "mou": Code("Memorandum of understanding", "A memorandum of understanding between agencies or governments.", "Protocole d'entente"),
    "agreement": Code("Agreement", "An agreement or arrangement other than an MOU.", "Accord"),
    "plan": Code("Plan", "An action plan or roadmap.", "Plan"),
    "statement": Code("Statement", "A joint statement, declaration or statement of partnership.", "Déclaration"),
    "report": Code("Report", "A report or public advisory.", "Rapport"),
    "task-force": Code("Task force", "A standing joint body such as a task force or enforcement team.", "Groupe de travail"),
    "programme": Code(
        "Programme",
        "A programme or pilot project run by agencies of one or both countries, e.g. the Shiprider pilots.",
        "Programme",
    ),
    "initiative": Code(
        "Initiative",
        "A measure one government (or both) announced or launched without a formal instrument, e.g. a new "
        "enforcement initiative announced at a meeting.",
        "Initiative",
    ),
}

JURISDICTION: Codelist = {
    "US": Code("United States", "A U.S. instrument.", "États-Unis"),
    "CA": Code("Canada", "A Canadian instrument.", "Canada"),
    "bilateral": Code("Bilateral", "An instrument of both countries.", "Bilatéral"),
    "multilateral": Code("Multilateral", "An instrument of more than two countries.", "Multilatéral"),
}

SOURCE_KIND: Codelist = {
    "official": Code(
        "Official",
        "A government's own text as the government published it: its web page, its release on the wire "
        "service it uses, or an institutional web archive's capture of either.",
        "Officiel",
    ),
    "wire": Code("Wire", "A news-agency report (CP, AP), as the agency or a news outlet it serves carries it.", "Dépêche"),
    "press": Code("Press", "A newspaper, magazine, trade-press or professional article or blog post.", "Presse"),
    "repost": Code(
        "Repost",
        "A third party's copy of another publisher's text (a government release, a wire story, a report).",
        "Republication",
    ),
    "summary": Code(
        "Summary",
        "A third party's rewrite, paraphrase or summary of another document.",
        "Résumé",
    ),
}

#: The one rule for reliability, by source kind (CONTRIBUTING.md, "Reliability"): an official text is
#: high and only an official text is; a rewrite is low; everything else is medium, or low when the
#: publisher or copier is an aggregator, a content farm or an anonymous blog, or a copy alters the text.
RELIABILITY_BY_KIND: dict[str, tuple[str, ...]] = {
    "official": ("high",),
    "wire": ("medium", "low"),
    "press": ("medium", "low"),
    "repost": ("medium", "low"),
    "summary": ("low",),
}

RELIABILITY: Codelist = {
    "high": Code(
        "High",
        "The issuing government's own text (kind `official`): its site, its release on its wire service, "
        "or an institutional web archive's capture of either.",
        "Élevée",
    ),
    "medium": Code(
        "Medium",
        "A news agency, newspaper or trade-press report, or a third party's faithful copy of another text "
        "that says where the text comes from.",
        "Moyenne",
    ),
    "low": Code(
        "Low",
        "A rewrite or summary; or a report or copy by an aggregator, content farm or anonymous blog, or a "
        "copy that alters the text: corroboration only, unless the only copy (then say so in notes).",
        "Faible",
    ),
}

TITLE_BASIS: Codelist = {
    "printed": Code("Printed", "The document's own title, as the document or its page prints it.", "Imprimé"),
    "from-address": Code(
        "From address",
        "The page shows no title; it is read from the page's web address (see notes).",
        "Tiré de l'adresse",
    ),
    "descriptive": Code(
        "Descriptive",
        "The document's own title is not known; the dataset describes it in its own words (see notes).",
        "Descriptif",
    ),
}

PARTY_ROLE: Codelist = {
    "signatory": Code(
        "Signatory",
        "Signed the instrument: its head or officials put their names to it on its behalf.",
        "Signataire",
    ),
    "participant": Code(
        "Participant",
        "A party to the instrument or a member of the body or programme, bound by it or taking part in it.",
        "Participant",
    ),
    "lead": Code("Lead", "Named as a lead body responsible for carrying the instrument out.", "Responsable"),
}

ASSESSMENT_STATUS: Codelist = {
    "not-started": Code("Not started", "No sign of action by the as-of date.", "Non commencé"),
    "in-progress": Code("In progress", "Action has begun but is not complete.", "En cours"),
    "partially-fulfilled": Code("Partially fulfilled", "Part of the undertaking has been done.", "Partiellement réalisé"),
    "fulfilled": Code("Fulfilled", "The undertaking has been done.", "Réalisé"),
    "not-fulfilled": Code("Not fulfilled", "The undertaking lapsed without being done.", "Non réalisé"),
    "superseded": Code("Superseded", "Replaced by a later undertaking or instrument.", "Remplacé"),
    "no-evidence": Code(
        "No evidence",
        "No public evidence of progress was found as of the as-of date; the note lists what was searched. "
        "Not a judgement that nothing was done.",
        "Aucune preuve",
    ),
}

RETIRABLE_TABLE: Codelist = {
    "meetings": Code("Meetings", "An ID of the meetings table.", "Réunions"),
    "commitments": Code("Commitments", "An ID of the commitments table.", "Engagements"),
    "people": Code("People", "An ID of the people table.", "Personnes"),
    "organizations": Code("Organizations", "An ID of the organizations table.", "Organisations"),
    "topics": Code("Topics", "An ID of the topics table.", "Thèmes"),
    "instruments": Code("Instruments", "An ID of the instruments table.", "Instruments"),
    "sources": Code("Sources", "An ID of the sources table.", "Sources"),
}

LANGUAGE: Codelist = {
    "en": Code("English", "ISO 639-1 code for English.", "Anglais"),
    "fr": Code("French", "ISO 639-1 code for French.", "Français"),
}

#: Every codelist by the name used in schemas and the data dictionary.
CODELISTS: dict[str, Codelist] = {
    "assessment_status": ASSESSMENT_STATUS,
    "attendance_status": ATTENDANCE_STATUS,
    "basis": BASIS,
    "capacity": CAPACITY,
    "classification": CLASSIFICATION,
    "country": COUNTRY,
    "date_precision": DATE_PRECISION,
    "instrument_kind": INSTRUMENT_KIND,
    "jurisdiction": JURISDICTION,
    "language": LANGUAGE,
    "modality": MODALITY,
    "parties": PARTIES,
    "party_role": PARTY_ROLE,
    "phase": PHASE,
    "relation": RELATION,
    "reliability": RELIABILITY,
    "retirable_table": RETIRABLE_TABLE,
    "source_kind": SOURCE_KIND,
    "title_basis": TITLE_BASIS,
}
