"""The assessment model replaces the A-E grade; incidents gain the state responsible and the
split taxonomy

Revision ID: 0015
Revises: 0014

Visits: `dimensions` (four ratings with coverage, evidence and indicators), `red_flags`,
`returnees` (returnee-interview groups, counts only) and `ring` (what the map's ring shows: red
flags first, then the worst dimension) replace `grade`. Every existing visit is assessed once
from its stored answers by server.assessment with `earlier_form=True`: its ratings are
suggestions marked `derived_from_earlier_form`, its head counts of 0 do not count as "no
children" (the earlier form had no "don't know"), red flags come from its answers and its
incidents. Its `scores` lose the grade.

`country_legal_facts`: what a country's law provides (judicial review of detention and its time
limit, an asylum procedure), set by an admin once per country instead of asked at every visit.

Incidents: `state_responsible` (iran, pakistan, de_facto_authorities, other, unknown), filled
from the incident's country for Iran and Pakistan and `unknown` elsewhere (an incident at an
Afghan crossing is often what the deporting state did: a reviewer decides). Mixed categories
are split; old records keep the part their old label named first and carry a `type_mapped`
flag naming what they were (README, "Incident types: the 2025 split"):
    extortion_property      -> extortion (may include documents)
    ill_treatment           -> ill_treatment (may include torture or verbal abuse)
    self_harm               -> self_harm (may include suicide)
    child_detention         -> child_detention (may include family deportation)
    denial_of_legal_access  -> denial_of_legal_access, now "a lawyer" (may include UNHCR, consul)
    monitor_obstruction     -> monitor_obstruction, now "access denied" (may include threats)
Sharing policies naming extortion_property name extortion and document_confiscation.
"""
import json

from alembic import op
from sqlalchemy import text

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

STATES = ("iran", "pakistan", "de_facto_authorities", "other", "unknown")
RINGS = ("red_flag", "1", "2", "insufficient", "3", "4", "none")
OLD_TYPES = ("forced_return", "pushback", "collective_expulsion", "arbitrary_arrest",
             "family_separation", "physical_violence", "sgbv", "ill_treatment", "death",
             "self_harm", "extortion_property", "denial_of_asylum", "child_detention",
             "denial_of_basic_needs", "denial_of_legal_access", "monitor_obstruction", "other")
NEW_TYPES = ("torture", "verbal_abuse", "document_confiscation", "coerced_return_signature",
             "trafficking", "reprisal", "shooting_at_border", "missing_person",
             "harm_after_return", "child_family_deportation", "suicide", "denial_of_unhcr",
             "denial_of_consular", "monitor_threatened")
MAPPED = {  # old code -> (new code, what the old record may also have been)
    "extortion_property": ("extortion", "document_confiscation"),
    "ill_treatment": ("ill_treatment", "torture or verbal_abuse"),
    "self_harm": ("self_harm", "suicide"),
    "child_detention": ("child_detention", "child_family_deportation"),
    "denial_of_legal_access": ("denial_of_legal_access", "denial_of_unhcr or denial_of_consular"),
    "monitor_obstruction": ("monitor_obstruction", "monitor_threatened"),
}

# Downgrade: each new code back to the old category that covered it.
BACK = {"extortion": "extortion_property", "document_confiscation": "extortion_property",
        "torture": "ill_treatment", "verbal_abuse": "ill_treatment",
        "coerced_return_signature": "forced_return", "trafficking": "other",
        "reprisal": "other", "shooting_at_border": "physical_violence",
        "missing_person": "other", "harm_after_return": "other",
        "child_family_deportation": "child_detention", "suicide": "self_harm",
        "denial_of_unhcr": "denial_of_legal_access", "denial_of_consular": "denial_of_legal_access",
        "monitor_threatened": "monitor_obstruction"}


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.execute("""CREATE TABLE country_legal_facts (
        country char(3) PRIMARY KEY CHECK (country ~ '^[A-Z]{3}$'),
        judicial_review text NOT NULL DEFAULT 'unknown'
            CHECK (judicial_review IN ('yes', 'partly', 'no', 'unknown')),
        detention_time_limit_days integer CHECK (detention_time_limit_days >= 0),
        asylum_procedure text NOT NULL DEFAULT 'unknown'
            CHECK (asylum_procedure IN ('yes', 'partly', 'no', 'unknown')),
        note text CHECK (length(note) <= 2000),
        source_url text CHECK (length(source_url) <= 2000),
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now())""")
    _incidents_up()
    op.execute("DROP INDEX ix_visits_facility_latest")
    op.execute(f"""ALTER TABLE visits
        ADD COLUMN dimensions jsonb NOT NULL DEFAULT '{{}}'::jsonb,
        ADD COLUMN red_flags jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN returnees jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN ring text NOT NULL DEFAULT 'none' CHECK (ring IN {_in(RINGS)}),
        DROP COLUMN grade""")
    _assess_existing_visits()
    op.execute("""CREATE INDEX ix_visits_facility_latest ON visits (facility_id, started_at DESC)
                  INCLUDE (ring, access)
                  WHERE review_status <> 'rejected' AND retracted_at IS NULL""")


def _incidents_up() -> None:
    op.execute("ALTER TABLE incidents DROP CONSTRAINT IF EXISTS incidents_type_check")
    op.execute(f"""ALTER TABLE incidents ADD COLUMN state_responsible text NOT NULL
                   DEFAULT 'unknown' CHECK (state_responsible IN {_in(STATES)})""")
    op.execute("""UPDATE incidents SET state_responsible = CASE country
                  WHEN 'IRN' THEN 'iran' WHEN 'PAK' THEN 'pakistan' ELSE 'unknown' END""")
    for old, (new, maybe) in MAPPED.items():
        flag = json.dumps([{"code": "type_mapped", "reason": (
            f"Recorded as {old} before the 2025 split of incident types; it may be {maybe}: "
            "re-type it if the narrative says so.")}])
        op.get_bind().execute(text(
            "UPDATE incidents SET type = :new, flags = flags || CAST(:flag AS jsonb) "
            "WHERE type = :old"), {"new": new, "old": old, "flag": flag})
    types = tuple(t for t in OLD_TYPES if t != "extortion_property") + ("extortion",) + NEW_TYPES
    op.execute(f"ALTER TABLE incidents ADD CONSTRAINT incidents_type_check "
               f"CHECK (type IN {_in(types)})")
    op.execute("""UPDATE sharing_policies SET incident_types = array_cat(
                      array_remove(incident_types, 'extortion_property'),
                      ARRAY['extortion', 'document_confiscation'])
                  WHERE 'extortion_property' = ANY(incident_types)""")


def _assess_existing_visits() -> None:
    from server.assessment import assess_visit
    from server.assessment.assess import stored_dimensions
    from server.scoring import score_visit

    connection = op.get_bind()
    incidents: dict = {}
    for row in connection.execute(text("""
            SELECT visit_id, type, source_type, profiles, state_responsible FROM incidents
            WHERE visit_id IS NOT NULL AND retracted_at IS NULL""")).mappings():
        incidents.setdefault(row["visit_id"], []).append(dict(row))
    rows = connection.execute(text("""
        SELECT v.id, v.observations, v.access, v.room_area_m2, v.held_women, v.held_men,
               v.held_girls, v.held_boys, v.held_unaccompanied, f.kind, f.country, f.capacity
        FROM visits v JOIN facilities f ON f.id = v.facility_id""")).mappings().all()
    for row in rows:
        held = {k: row[f"held_{k}"] for k in ("women", "men", "girls", "boys", "unaccompanied")}
        try:
            scores = score_visit(row["observations"], row["kind"], row["capacity"], held,
                                 row["room_area_m2"], row["access"], country=row["country"],
                                 earlier_form=True)
        except ValueError:  # an answer the rules cannot read: assess from nothing
            scores = score_visit({}, row["kind"], row["capacity"], {}, None, row["access"],
                                 country=row["country"], earlier_form=True)
        assessment = assess_visit(scores, access=row["access"], country=row["country"],
                                  headcounts=held, observations=row["observations"],
                                  incidents=incidents.get(row["id"], ()), earlier_form=True)
        connection.execute(text("""
            UPDATE visits SET scores = CAST(:scores AS jsonb),
                dimensions = CAST(:dimensions AS jsonb), red_flags = CAST(:flags AS jsonb),
                ring = :ring WHERE id = :id"""),
            {"id": row["id"], "scores": json.dumps(scores), "ring": assessment["ring"],
             "dimensions": json.dumps(stored_dimensions(assessment)),
             "flags": json.dumps(assessment["red_flags"])})


def downgrade() -> None:
    op.execute("DROP TABLE country_legal_facts")
    op.execute("DROP INDEX ix_visits_facility_latest")
    op.execute("ALTER TABLE visits ADD COLUMN grade text")
    op.execute("""ALTER TABLE visits DROP COLUMN dimensions, DROP COLUMN red_flags,
                  DROP COLUMN returnees, DROP COLUMN ring""")
    op.execute("""CREATE INDEX ix_visits_facility_latest ON visits (facility_id, started_at DESC)
                  INCLUDE (grade, access)
                  WHERE review_status <> 'rejected' AND retracted_at IS NULL""")
    op.execute("ALTER TABLE incidents DROP CONSTRAINT incidents_type_check")
    for new, old in BACK.items():
        op.execute(f"UPDATE incidents SET type = '{old}' WHERE type = '{new}'")
    op.execute("""UPDATE incidents SET flags = (SELECT coalesce(jsonb_agg(f), '[]'::jsonb)
                  FROM jsonb_array_elements(flags) f WHERE f->>'code' <> 'type_mapped')""")
    op.execute(f"ALTER TABLE incidents ADD CONSTRAINT incidents_type_check "
               f"CHECK (type IN {_in(OLD_TYPES)})")
    op.execute("ALTER TABLE incidents DROP COLUMN state_responsible")
    op.execute("""UPDATE sharing_policies SET incident_types = array_replace(
                      array_remove(incident_types, 'document_confiscation'),
                      'extortion', 'extortion_property')
                  WHERE 'extortion' = ANY(incident_types)""")
