"""The site's two languages: interface text, codelist and record labels, dates and ordinals.

Codelist labels come from `model/codelists.py` and topic and organization names from the records
(`label_fr`, `name_fr`); everything else a page says is in `MESSAGES`. Summaries, notes, titles and
quotes are the records' own English and stay so on French pages (marked `lang="en"`).
"""

from __future__ import annotations

from typing import Any

from cbcf_data.model.codelists import CODELISTS

LANGS = ("en", "fr")
OTHER = {"en": "fr", "fr": "en"}
LANG_NAMES = {"en": "English", "fr": "Français"}

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
}

#: Interface text: key -> (English, French).
MESSAGES: dict[str, tuple[str, str]] = {
    "site_title": ("Cross-Border Crime Forum data", "Données du Forum sur la criminalité transfrontalière"),
    "site_tagline": ("The U.S.–Canada Cross-Border Crime Forum: meetings, people, commitments and outcomes, every "
                     "fact sourced.",
                     "Le Forum sur la criminalité transfrontalière Canada–États-Unis : réunions, personnes, "
                     "engagements et résultats, chaque fait avec sa source."),
    "skip": ("Skip to content", "Aller au contenu"),
    "nav": ("Site", "Site"),
    "home": ("Home", "Accueil"),
    "charts": ("Charts", "Graphiques"),
    "progress": ("Progress", "Suivi"),
    "progress_help": ("What had become of each assessed commitment at the end of each year an assessment is dated "
                      "in: for each party, its latest assessment known by then (a date known only to the month or "
                      "the year counts from its last day, as `show --as-of` counts it).",
                      "Ce qu'il était advenu de chaque engagement évalué à la fin de chaque année où une évaluation "
                      "est datée : pour chaque partie, sa dernière évaluation connue à ce moment (une date connue au "
                      "mois ou à l'année près compte à partir de son dernier jour, comme pour `show --as-of`)."),
    "progress_unassessed": ("{n} other commitments have no assessment yet.",
                            "{n} autres engagements n'ont encore aucune évaluation."),
    "progress_none": ("No commitment has an assessment yet.", "Aucun engagement n'a encore d'évaluation."),
    "progress_year": ("End of {year}", "Fin {year}"),
    "progress_to_date": ("{year} to date", "{year}, à ce jour"),
    "not_made_yet": ("Not made yet", "Pas encore pris"),
    "data": ("Data", "Données"),
    "search": ("Search", "Recherche"),
    "search_label": ("Search meetings, commitments, people, topics", "Rechercher réunions, engagements, personnes, "
                     "thèmes"),
    "search_go": ("Search", "Rechercher"),
    "search_hint": ("Type a word: a place, a person, a theme, an ID.",
                    "Tapez un mot : un lieu, une personne, un thème, un identifiant."),
    "search_none": ("No match.", "Aucun résultat."),
    "search_count": ("{n} match(es)", "{n} résultat(s)"),
    "search_nojs": ("Search needs JavaScript; every record is also listed on the pages in the menu.",
                    "La recherche exige JavaScript ; chaque fiche figure aussi dans les listes du menu."),
    "language": ("Language", "Langue"),
    "in_other": ("Français", "English"),
    "english_only": ("Summaries, notes, titles and quotes are in English, as the records keep them.",
                     "Les résumés, notes, titres et citations sont en anglais, comme dans les données."),
    "meetings": ("Meetings", "Réunions"),
    "meeting": ("Meeting", "Réunion"),
    "commitments": ("Commitments", "Engagements"),
    "commitment": ("Commitment", "Engagement"),
    "people": ("People", "Personnes"),
    "person": ("Person", "Personne"),
    "topics": ("Topics", "Thèmes"),
    "topic": ("Topic", "Thème"),
    "instruments": ("Instruments", "Instruments"),
    "instrument": ("Instrument", "Instrument"),
    "sources": ("Sources", "Sources"),
    "source": ("Source", "Source"),
    "organizations": ("Organizations", "Organisations"),
    "organization": ("Organization", "Organisation"),
    "assessments": ("Assessments", "Évaluations"),
    "attendees": ("Attendees", "Participants"),
    "themes": ("Themes", "Thèmes abordés"),
    "none_named": ("No attendee is named by the sources.", "Aucune source ne nomme de participant."),
    "none": ("None recorded.", "Aucun."),
    "none_feminine": ("None recorded.", "Aucune."),  # after a feminine plural (parties)
    "date": ("Date", "Date"),
    "place": ("Place", "Lieu"),
    "host": ("Host", "Hôte"),
    "phase": ("Phase", "Phase"),
    "ordinal": ("Ordinal", "Rang"),
    "unknown": ("unknown", "inconnu"),
    "inferred": ("inferred", "déduit"),
    "inferred_help": ("Inferred: no source states this value; it is deduced from what the sources say (see the "
                      "notes).", "Déduit : aucune source ne l'énonce ; la valeur est déduite de ce que disent les "
                      "sources (voir les notes)."),
    "existence_inferred": ("existence inferred", "existence déduite"),
    "ordinal_inferred": ("ordinal inferred", "rang déduit"),
    "low_reliability": ("low reliability", "fiabilité faible"),
    "low_help": ("Low reliability: an aggregator or content farm, for corroboration only.",
                 "Fiabilité faible : agrégateur ou ferme de contenu, à titre de corroboration seulement."),
    "reliability": ("Reliability", "Fiabilité"),
    "kind": ("Kind", "Type"),
    "publisher": ("Publisher", "Éditeur"),
    "published": ("Published", "Publié le"),
    "address": ("Address", "Adresse"),
    "archived": ("Archived text", "Texte archivé"),
    "archived_yes": ("archived in the dataset, SHA-256 {sha}", "archivé dans les données, SHA-256 {sha}"),
    "summary": ("Summary", "Résumé"),
    "notes": ("Notes", "Notes"),
    "quote": ("Quote", "Citation"),
    "no_quote": ("No quote: the source's text is not archived here, so the wording above is the dataset's own.",
                 "Pas de citation : le texte de la source n'est pas archivé ici ; le résumé est celui des données."),
    "modality": ("Wording", "Formulation"),
    "parties": ("Parties", "Parties"),
    "status": ("Status", "État"),
    "as_of": ("As of", "En date du"),
    "party": ("Party", "Partie"),
    "note": ("Note", "Note"),
    "not_assessed": ("Not assessed", "Non évalué"),
    "no_assessment": ("No assessment of what became of it yet.", "Aucune évaluation de sa suite pour l'instant."),
    "role": ("Role", "Fonction"),
    "delegation": ("Delegation", "Délégation"),
    "capacity": ("Capacity", "Qualité"),
    "country": ("Country", "Pays"),
    "relation": ("At the meeting", "À la réunion"),
    "jurisdiction": ("Jurisdiction", "Compétence"),
    "broader": ("Broader topic", "Thème plus large"),
    "narrower": ("Narrower topics", "Thèmes plus précis"),
    "top_level": ("Top-level topic", "Thème de premier niveau"),
    "parent": ("Part of", "Relève de"),
    "record": ("The record", "La fiche"),
    "record_help": ("Every field of the row as the dataset holds it.", "Chaque champ de la ligne, tel que dans les "
                    "données."),
    "field": ("Field", "Champ"),
    "value": ("Value", "Valeur"),
    "cite_this": ("Cite this record", "Citer cette fiche"),
    "reported_by": ("Reported by", "Selon"),
    "count": ("Count", "Nombre"),
    "total": ("Total", "Total"),
    "table_behind": ("The table behind the chart", "Le tableau derrière le graphique"),
    "what_forum": ("What the forum is", "Qu'est-ce que le Forum ?"),
    "forum_text": ("The U.S.–Canada Cross-Border Crime Forum is the ministerial meeting where the U.S. Attorney "
                   "General, the U.S. Secretary of Homeland Security and Canada's ministers of Justice and Public "
                   "Safety meet on crime that crosses the border. It met yearly from 1997 to 2012 (the founding "
                   "phase) and again since 2022, when it was reestablished.",
                   "Le Forum sur la criminalité transfrontalière Canada–États-Unis réunit le procureur général des "
                   "États-Unis, le secrétaire à la Sécurité intérieure et les ministres canadiens de la Justice et "
                   "de la Sécurité publique autour de la criminalité qui traverse la frontière. Il s'est réuni "
                   "chaque année de 1997 à 2012 (phase fondatrice), puis de nouveau depuis 2022, après son "
                   "rétablissement."),
    "coverage": ("Coverage", "Couverture"),
    "coverage_text": ("{meetings} meetings ({first}–{last}), {people} people, {commitments} commitments, "
                      "{assessments} assessments, {instruments} instruments and {sources} sources.",
                      "{meetings} réunions ({first}–{last}), {people} personnes, {commitments} engagements, "
                      "{assessments} évaluations, {instruments} instruments et {sources} sources."),
    "honesty": ("Every fact has a source. Values no source states outright are marked {inferred}; sources of "
                "{low} are marked too. Facts no source gives are left empty.",
                "Chaque fait a sa source. Les valeurs qu'aucune source n'énonce sont marquées {inferred} ; les "
                "sources de {low} le sont aussi. Les faits qu'aucune source ne donne restent vides."),
    "release": ("Release", "Version"),
    "release_text": ("This site shows version {version} of the dataset.", "Ce site présente la version {version} "
                     "des données."),
    "how_cite": ("How to cite", "Comment citer"),
    "how_download": ("Download", "Télécharger"),
    "download_text": ("Every table as CSV, with checksums, on the data page; the full release adds a JSON document, "
                      "an SQLite database and a zip.",
                      "Chaque table en CSV, avec sommes de contrôle, à la page Données ; la version complète y "
                      "ajoute un document JSON, une base SQLite et une archive zip."),
    "tables": ("Tables", "Tables"),
    "rows": ("Rows", "Lignes"),
    "file": ("File", "Fichier"),
    "bytes": ("Bytes", "Octets"),
    "sha256": ("SHA-256", "SHA-256"),
    "data_intro": ("Every table as canonical CSV, exactly as in the dataset's records/ folder, with its size and "
                   "SHA-256. The release folder this site ships in also holds a datapackage.json, a JSON document, "
                   "an SQLite database and a zip of everything.",
                   "Chaque table en CSV canonique, identique au dossier records/ des données, avec sa taille et son "
                   "SHA-256. Le dossier de la version qui contient ce site offre aussi un datapackage.json, un "
                   "document JSON, une base SQLite et une archive zip de l'ensemble."),
    "codelist": ("Codelist", "Liste de codes"),
    "dictionary": ("Data dictionary", "Dictionnaire des données"),
    "dictionary_text": ("Every field of every table, with its type and meaning (descriptions in English).",
                        "Chaque champ de chaque table, avec son type et son sens (descriptions en anglais)."),
    "codelists": ("Codelists", "Listes de codes"),
    "code": ("Code", "Code"),
    "label": ("Label", "Libellé"),
    "abbreviation": ("Abbreviation", "Sigle"),
    "definition": ("Definition", "Définition"),
    "type": ("Type", "Type"),
    "required": ("Required", "Obligatoire"),
    "yes": ("yes", "oui"),
    "description": ("Description", "Description"),
    "primary_key": ("Primary key", "Clé primaire"),
    "all_meetings": ("All meetings", "Toutes les réunions"),
    "page_of": ("{n} recorded", "{n} au total"),
    "since_reestablishment": ("since reestablishment", "depuis le rétablissement"),
    "ordinal_unknown": ("ordinal unknown", "rang inconnu"),
    "made_at": ("Made at", "Pris à"),
    "linked_instruments": ("Instruments", "Instruments"),
    "used_by": ("Where the dataset cites it", "Où les données la citent"),
    "members": ("Members at meetings", "Membres aux réunions"),
    "parent_org": ("Part of", "Relève de"),
    "meetings_of": ("Meetings", "Réunions"),
    "commitments_of": ("Commitments", "Engagements"),
    "from_narrower": ("(*) through a narrower topic only.", "(*) par un thème plus précis seulement."),
    "chart_timeline": ("Meetings over time", "Les réunions dans le temps"),
    "chart_themes": ("Themes by meeting", "Thèmes par réunion"),
    "chart_modality": ("Commitments by wording, per meeting", "Engagements par formulation, par réunion"),
    "chart_commit_topics": ("Commitments by topic, per meeting", "Engagements par thème, par réunion"),
    "chart_status": ("What became of the commitments", "Suite donnée aux engagements"),
    "chart_timeline_note": ("Above the line: the United States hosted; below: Canada; on the line: host unknown. "
                            "Circle area grows with the number of named attendees; a dashed circle marks an inferred "
                            "date.",
                            "Au-dessus de la ligne : réunion aux États-Unis ; au-dessous : au Canada ; sur la ligne : "
                            "hôte inconnu. La surface du cercle croît avec le nombre de participants nommés ; un "
                            "cercle en pointillé marque une date déduite."),
    "chart_themes_note": ("Each cell counts the themes of a meeting that fall under a top-level topic (the topic or "
                          "any narrower one).",
                          "Chaque case compte les thèmes d'une réunion qui relèvent d'un thème de premier niveau "
                          "(lui-même ou un thème plus précis)."),
    "chart_commit_topics_note": ("A commitment counts once under each top-level topic its topics fall under.",
                                 "Un engagement compte une fois sous chaque thème de premier niveau dont relèvent "
                                 "ses thèmes."),
    "chart_status_note": ("Each commitment counts once, by its latest assessment (any party).",
                          "Chaque engagement compte une fois, selon sa dernière évaluation (toute partie)."),
    "host_us": ("Hosted by the United States", "Accueillie par les États-Unis"),
    "host_ca": ("Hosted by Canada", "Accueillie par le Canada"),
    "attendees_named": ("Attendees named", "Participants nommés"),
    "year": ("Year", "Année"),
    "all_charts": ("All charts", "Tous les graphiques"),
    "licence": ("Data: CC BY 4.0. Code: MIT. Quoted passages remain the work of their authors.",
                "Données : CC BY 4.0. Code : MIT. Les passages cités restent l'œuvre de leurs auteurs."),
    "built_from": ("Built from cbcf-data {version}.", "Produit à partir de cbcf-data {version}."),
}


def message(key: str, lang: str, **values: Any) -> str:
    """The interface text `key` in `lang`, with `{name}` placeholders filled."""
    text = MESSAGES[key][LANGS.index(lang)]
    return text.format(**values) if values else text


def code_label(codelist: str, code: str | None, lang: str) -> str:
    """A code's label in `lang` (English when no French label exists); the code itself if unknown."""
    if code is None:
        return ""
    entry = CODELISTS.get(codelist, {}).get(code)
    if entry is None:
        return code
    return entry.label_fr if lang == "fr" and entry.label_fr else entry.label


def code_definition(codelist: str, code: str | None) -> str:
    """A code's one-line definition (English)."""
    entry = CODELISTS.get(codelist, {}).get(code or "")
    return entry.definition if entry else ""


def format_date(value: str | None, lang: str) -> str:
    """An ISO date of day, month or year precision in words: `11 July 2024`, `juillet 2024`, `1998`."""
    if not value:
        return ""
    parts = value.split("-")
    if len(parts) == 1:
        return value
    month = MONTHS[lang][int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    day = int(parts[2])
    if lang == "fr":
        return f"{'1er' if day == 1 else day} {month} {parts[0]}"
    return f"{day} {month} {parts[0]}"


def colon(lang: str) -> str:
    """`:` in English, ` :` (a no-break space before it) in French."""
    return "\u00a0:" if lang == "fr" else ":"


def ordinal(n: int, lang: str) -> str:
    """1st, 2nd, 3rd, 11th…; 1re, 2e, 3e… in French (the forum is `la réunion`)."""
    if lang == "fr":
        return "1re" if n == 1 else f"{n}e"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"

#: The charts' text alternatives: key -> (English, French).
SUMMARIES: dict[str, tuple[str, str]] = {
    "timeline": ("{n} meetings from {first} to {last}: {founding} in the founding phase and {reestablished} since "
                 "reestablishment. The United States hosted {us}, Canada {ca}; the host of {unknown} is unknown. "
                 "{inferred} have an inferred date. Most attendees named at one meeting: {most}.",
                 "{n} réunions de {first} à {last} : {founding} pendant la phase fondatrice et {reestablished} "
                 "depuis le rétablissement. Les États-Unis en ont accueilli {us}, le Canada {ca} ; l'hôte de "
                 "{unknown} est inconnu. {inferred} ont une date déduite. Au plus {most} participants nommés à une "
                 "réunion."),
    "ranking": ("Most frequent: {top}.", "Les plus fréquents : {top}."),
    "modality": ("{n} commitments at {meetings} meetings. Most frequent wording: {top}.",
                 "{n} engagements pris à {meetings} réunions. Formulations les plus fréquentes : {top}."),
    "status": ("{assessed} of {n} commitments have an assessment ({detail}); {unassessed} are not assessed.",
               "{assessed} engagements sur {n} ont une évaluation ({detail}) ; {unassessed} ne sont pas évalués."),
    "empty": ("Nothing to show yet.", "Rien à montrer pour l'instant."),
}


def summary(key: str, lang: str, **values: Any) -> str:
    """A chart's text alternative in `lang`."""
    return SUMMARIES[key][LANGS.index(lang)].format(**values)
