"""What each table's model declares of its rows, as plain data for `model.accept`, `model.declared`
and `check.explain`'s words: read from the models (their core schemas by `accept.spec_of`, their
codelists by `table_schema.codelists_of`; a test holds the two equal; to write it again:
`python -c "from cbcf_data.model import accept; accept.write_rowspec()"`). Not edited by hand."""

from __future__ import annotations

from typing import Any

ROWS: dict[str, Any] = {
    'sources': (
        (
            ('id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('title', False, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('title_basis', False, 'codes', ('printed', 'from-address', 'descriptive')),
            ('publisher', True, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('url', True, 'text', ('^https?://[^\\s\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', None, 2000)),
            ('published_date', True, 'after', ('cbcf_data.model.types._check_calendar', '^[0-9]{4}(?:-(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12][0-9]|3[01]))?|(?:0[469]|11)(?:-(?:0[1-9]|[12][0-9]|30))?|02(?:-(?:0[1-9]|[12][0-9]))?))?$', None, None)),
            ('kind', False, 'codes', ('official', 'wire', 'press', 'repost', 'summary')),
            ('reliability', False, 'codes', ('high', 'medium', 'low')),
            ('archive_path', True, 'text', ('^sources/[a-z0-9]+(?:-[a-z0-9]+)*\\.txt$', None, None)),
            ('sha256', True, 'text', ('^[0-9a-f]{64}$', None, None)),
            ('language', False, 'codes', ('en', 'fr')),
            ('notes', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        True,
    ),
    'meetings': (
        (
            ('id', False, 'text', ('^cbcf-[0-9]{4}(?:-[a-z0-9]+)*$', None, 80)),
            ('phase', False, 'codes', ('founding', 'reestablished')),
            ('sequence', True, 'int', (1, 99, None, None)),
            ('sequence_basis', True, 'codes', ('stated', 'inferred')),
            ('existence_basis', False, 'codes', ('stated', 'inferred')),
            ('start_date', False, 'after', ('cbcf_data.model.types._check_calendar', '^[0-9]{4}(?:-(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12][0-9]|3[01]))?|(?:0[469]|11)(?:-(?:0[1-9]|[12][0-9]|30))?|02(?:-(?:0[1-9]|[12][0-9]))?))?$', None, None)),
            ('end_date', True, 'after', ('cbcf_data.model.types._check_calendar', '^[0-9]{4}(?:-(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12][0-9]|3[01]))?|(?:0[469]|11)(?:-(?:0[1-9]|[12][0-9]|30))?|02(?:-(?:0[1-9]|[12][0-9]))?))?$', None, None)),
            ('date_precision', False, 'codes', ('day', 'month', 'year')),
            ('date_basis', False, 'codes', ('stated', 'inferred')),
            ('city', True, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('subdivision', True, 'text', ('^(?:US|CA)-[A-Z0-9]{1,3}$', None, None)),
            ('host_country', True, 'codes', ('US', 'CA')),
            ('host_basis', True, 'codes', ('stated', 'inferred')),
            ('summary', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
            ('notes', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        True,
    ),
    'people': (
        (
            ('id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('name', False, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('country', False, 'codes', ('US', 'CA')),
            ('wikidata_id', True, 'text', ('^Q[1-9][0-9]*$', None, None)),
            ('notes', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        False,
    ),
    'organizations': (
        (
            ('id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('name', False, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('name_fr', True, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('abbreviation', True, 'text', ('^[A-Za-z0-9&.-]{1,20}$', None, None)),
            ('country', False, 'codes', ('US', 'CA')),
            ('classification', False, 'codes', ('department', 'ministry', 'agency', 'office')),
            ('parent_id', True, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('notes', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        True,
    ),
    'topics': (
        (
            ('id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('label', False, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('label_fr', False, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('parent_id', True, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('description', False, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        False,
    ),
    'attendances': (
        (
            ('meeting_id', False, 'text', ('^cbcf-[0-9]{4}(?:-[a-z0-9]+)*$', None, 80)),
            ('person_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('role', False, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('organization_id', True, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('delegation', False, 'codes', ('US', 'CA')),
            ('capacity', True, 'codes', ('host', 'guest', 'co-chair', 'participant')),
            ('capacity_basis', True, 'codes', ('stated', 'inferred')),
            ('status', False, 'codes', ('attended', 'absent', 'unknown')),
            ('source_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('notes', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        True,
    ),
    'meeting_topics': (
        (
            ('meeting_id', False, 'text', ('^cbcf-[0-9]{4}(?:-[a-z0-9]+)*$', None, 80)),
            ('topic_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('source_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
        ),
        False,
    ),
    'commitments': (
        (
            ('id', False, 'text', ('^cbcf-[0-9]{4}(?:-[a-z0-9]+)*-c[0-9]{2,3}$', None, 90)),
            ('meeting_id', False, 'text', ('^cbcf-[0-9]{4}(?:-[a-z0-9]+)*$', None, 80)),
            ('summary', False, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
            ('modality', False, 'codes', ('commit', 'pledge', 'agree', 'will', 'continue', 'emphasize', 'ongoing', 'direct', 'welcome', 'announce', 'unstated')),
            ('parties', False, 'codes', ('US', 'CA', 'both')),
            ('source_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('quote', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
            ('quote_start', True, 'int', (0, None, None, None)),
            ('quote_end', True, 'int', (0, None, None, None)),
            ('notes', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        True,
    ),
    'commitment_topics': (
        (
            ('commitment_id', False, 'text', ('^cbcf-[0-9]{4}(?:-[a-z0-9]+)*-c[0-9]{2,3}$', None, 90)),
            ('topic_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
        ),
        False,
    ),
    'instruments': (
        (
            ('id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('title', False, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('title_basis', False, 'codes', ('printed', 'from-address', 'descriptive')),
            ('kind', False, 'codes', ('act', 'bill', 'mou', 'agreement', 'plan', 'statement', 'report', 'task-force', 'programme', 'initiative')),
            ('jurisdiction', False, 'codes', ('US', 'CA', 'bilateral', 'multilateral')),
            ('date', True, 'after', ('cbcf_data.model.types._check_calendar', '^[0-9]{4}(?:-(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12][0-9]|3[01]))?|(?:0[469]|11)(?:-(?:0[1-9]|[12][0-9]|30))?|02(?:-(?:0[1-9]|[12][0-9]))?))?$', None, None)),
            ('date_precision', True, 'codes', ('day', 'month', 'year')),
            ('date_basis', True, 'codes', ('stated', 'inferred')),
            ('source_id', True, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('notes', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        True,
    ),
    'instrument_parties': (
        (
            ('instrument_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('organization_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('role', False, 'codes', ('signatory', 'participant', 'lead')),
            ('basis', False, 'codes', ('stated', 'inferred')),
            ('source_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('notes', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        True,
    ),
    'instrument_mentions': (
        (
            ('meeting_id', False, 'text', ('^cbcf-[0-9]{4}(?:-[a-z0-9]+)*$', None, 80)),
            ('instrument_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('relation', False, 'codes', ('referenced', 'signed', 'released', 'announced', 'established')),
            ('relation_basis', False, 'codes', ('stated', 'inferred')),
            ('commitment_id', True, 'text', ('^cbcf-[0-9]{4}(?:-[a-z0-9]+)*-c[0-9]{2,3}$', None, 90)),
            ('source_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('notes', True, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        True,
    ),
    'meeting_sources': (
        (
            ('meeting_id', False, 'text', ('^cbcf-[0-9]{4}(?:-[a-z0-9]+)*$', None, 80)),
            ('source_id', False, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
        ),
        False,
    ),
    'assessments': (
        (
            ('commitment_id', False, 'text', ('^cbcf-[0-9]{4}(?:-[a-z0-9]+)*-c[0-9]{2,3}$', None, 90)),
            ('party', False, 'codes', ('US', 'CA', 'both')),
            ('as_of', False, 'after', ('cbcf_data.model.types._check_calendar', '^[0-9]{4}(?:-(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12][0-9]|3[01]))?|(?:0[469]|11)(?:-(?:0[1-9]|[12][0-9]|30))?|02(?:-(?:0[1-9]|[12][0-9]))?))?$', None, None)),
            ('status', False, 'codes', ('not-started', 'in-progress', 'partially-fulfilled', 'fulfilled', 'not-fulfilled', 'superseded', 'no-evidence')),
            ('source_id', True, 'text', ('^[a-z0-9]+(?:-[a-z0-9]+)*$', None, 80)),
            ('note', False, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
        ),
        True,
    ),
    'retired_ids': (
        (
            ('table_name', False, 'codes', ('meetings', 'commitments', 'people', 'organizations', 'topics', 'instruments', 'sources')),
            ('id', False, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('retired_in', False, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
            ('reason', False, 'text', ('^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 4000)),
            ('replaced_by', True, 'text', ('^[^\\x00-\\x1f\\x7f-\\x9f\\xad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufdd0-\\ufdef\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]+$', 1, 300)),
        ),
        False,
    ),
}

#: Each table's model: (its class's name, its fields, primary key and foreign keys), in dependency order.
DECLARED: dict[str, Any] = {
    'sources': ('Source', ('id', 'title', 'title_basis', 'publisher', 'url', 'published_date', 'kind', 'reliability', 'archive_path', 'sha256', 'language', 'notes'), ('id',), {}),
    'meetings': ('Meeting', ('id', 'phase', 'sequence', 'sequence_basis', 'existence_basis', 'start_date', 'end_date', 'date_precision', 'date_basis', 'city', 'subdivision', 'host_country', 'host_basis', 'summary', 'notes'), ('id',), {}),
    'people': ('Person', ('id', 'name', 'country', 'wikidata_id', 'notes'), ('id',), {}),
    'organizations': ('Organization', ('id', 'name', 'name_fr', 'abbreviation', 'country', 'classification', 'parent_id', 'notes'), ('id',), {'parent_id': 'organizations'}),
    'topics': ('Topic', ('id', 'label', 'label_fr', 'parent_id', 'description'), ('id',), {'parent_id': 'topics'}),
    'attendances': ('Attendance', ('meeting_id', 'person_id', 'role', 'organization_id', 'delegation', 'capacity', 'capacity_basis', 'status', 'source_id', 'notes'), ('meeting_id', 'person_id'), {'meeting_id': 'meetings', 'person_id': 'people', 'organization_id': 'organizations', 'source_id': 'sources'}),
    'meeting_topics': ('MeetingTopic', ('meeting_id', 'topic_id', 'source_id'), ('meeting_id', 'topic_id'), {'meeting_id': 'meetings', 'topic_id': 'topics', 'source_id': 'sources'}),
    'commitments': ('Commitment', ('id', 'meeting_id', 'summary', 'modality', 'parties', 'source_id', 'quote', 'quote_start', 'quote_end', 'notes'), ('id',), {'meeting_id': 'meetings', 'source_id': 'sources'}),
    'commitment_topics': ('CommitmentTopic', ('commitment_id', 'topic_id'), ('commitment_id', 'topic_id'), {'commitment_id': 'commitments', 'topic_id': 'topics'}),
    'instruments': ('Instrument', ('id', 'title', 'title_basis', 'kind', 'jurisdiction', 'date', 'date_precision', 'date_basis', 'source_id', 'notes'), ('id',), {'source_id': 'sources'}),
    'instrument_parties': ('InstrumentParty', ('instrument_id', 'organization_id', 'role', 'basis', 'source_id', 'notes'), ('instrument_id', 'organization_id', 'role'), {'instrument_id': 'instruments', 'organization_id': 'organizations', 'source_id': 'sources'}),
    'instrument_mentions': ('InstrumentMention', ('meeting_id', 'instrument_id', 'relation', 'relation_basis', 'commitment_id', 'source_id', 'notes'), ('meeting_id', 'instrument_id', 'relation'), {'meeting_id': 'meetings', 'instrument_id': 'instruments', 'commitment_id': 'commitments', 'source_id': 'sources'}),
    'meeting_sources': ('MeetingSource', ('meeting_id', 'source_id'), ('meeting_id', 'source_id'), {'meeting_id': 'meetings', 'source_id': 'sources'}),
    'assessments': ('Assessment', ('commitment_id', 'party', 'as_of', 'status', 'source_id', 'note'), ('commitment_id', 'party', 'as_of'), {'commitment_id': 'commitments', 'source_id': 'sources'}),
    'retired_ids': ('RetiredId', ('table_name', 'id', 'retired_in', 'reason', 'replaced_by'), ('table_name', 'id'), {}),
}

#: Each table's coded fields: field -> the name of its codelist (`table_schema.codelists_of`).
CODELISTS_OF: dict[str, dict[str, str]] = {
    'sources': {'title_basis': 'title_basis', 'kind': 'source_kind', 'reliability': 'reliability', 'language': 'language'},
    'meetings': {'phase': 'phase', 'sequence_basis': 'basis', 'existence_basis': 'basis', 'date_precision': 'date_precision', 'date_basis': 'basis', 'host_country': 'country', 'host_basis': 'basis'},
    'people': {'country': 'country'},
    'organizations': {'country': 'country', 'classification': 'classification'},
    'topics': {},
    'attendances': {'delegation': 'country', 'capacity': 'capacity', 'capacity_basis': 'basis', 'status': 'attendance_status'},
    'meeting_topics': {},
    'commitments': {'modality': 'modality', 'parties': 'parties'},
    'commitment_topics': {},
    'instruments': {'title_basis': 'title_basis', 'kind': 'instrument_kind', 'jurisdiction': 'jurisdiction', 'date_precision': 'date_precision', 'date_basis': 'basis'},
    'instrument_parties': {'role': 'party_role', 'basis': 'basis'},
    'instrument_mentions': {'relation': 'relation', 'relation_basis': 'basis'},
    'meeting_sources': {},
    'assessments': {'party': 'parties', 'status': 'assessment_status'},
    'retired_ids': {'table_name': 'retirable_table'},
}
