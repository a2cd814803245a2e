"""`flask demo`: a realistic roster, a closed earlier round and an open one, both with
submitted answers (criteria and KEHY profiles), for trying the service: the report,
the exports and the directory have data at once. Random but deterministic (fixed seed)."""

import random
import secrets
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import delete, select, update

from .auth.accounts import create_admin
from .extensions import db
from .invitations.services import ensure_invitations, link_for
from .models import Admin, Invitation, OutboxMessage, Response, Round, SubmittedVersion
from .models.types import utcnow
from .outbox.transport import captured_mail_dir
from .respond.services import mark_opened, save_answers
from .rounds.services import close_round, create_round, open_round
from .timeutil import parse_local, to_local
from .units.importer import import_units

DEMO_ROSTER = Path(__file__).resolve().parent / "demo_data" / "units.csv"
DEMO_SLUG = "demo-kartoitus"
DEMO_ADMIN = "demo-admin@kehy.example.fi"
PREVIOUS_SLUG = "demo-syksy"
SEED = 2008
# The seed's shape: 36 of 58 units answered the earlier round; fewer so far in the open one.
PREVIOUS_RESPONDING = 36
OPEN_RESPONDING = 24
# Chance of "yes" and of "planned" per item in the earlier round (the rest: "no").
CRITERIA_CHANCES = {
    "k1_1": (0.92, 0.05),
    "k1_2": (0.80, 0.12),
    "k1_3": (0.55, 0.20),
    "k2_1": (0.85, 0.10),
    "k2_2": (0.70, 0.15),
    "k2_3": (0.50, 0.30),
    "k3_1": (0.75, 0.15),
    "k3_2": (0.60, 0.20),
    "k3_3": (0.40, 0.35),
    "k4_1": (0.45, 0.35),
    "k4_2": (0.80, 0.10),
}
SKIPPED = 0.04
MISSIONS = [
    "Toimialamme on {field_lc}. Kehitämme käytäntöjä yhdessä asiakkaiden, työntekijöiden "
    "ja tutkijoiden kanssa niin, että hyvät työtavat juurtuvat koko seudulle.",
    "Yksikkö tuo tutkimustiedon osaksi arjen työtä (toimiala: {field_lc}) ja tukee seudun "
    "kuntia yhteisten asiakasprosessien rakentamisessa.",
    "Tavoitteena on vaikuttava ja asiakaslähtöinen palvelu (toimiala: {field_lc}), jota "
    "arvioidaan ja kehitetään käytännön ja tutkimuksen vuoropuhelussa.",
]
METHODS = [
    "Kehittämisryhmät työyhteisöissä, seudullinen ohjausryhmä, yhteistyö "
    "osaamiskeskuksen ja ammattikorkeakoulun kanssa.",
    "Asiakasraadit, työpajat ja vertaisarvioinnit; tutkija on mukana arjen työssä.",
    "Prosessien mallintaminen, työnohjaukselliset kehittämisfoorumit ja "
    "verkostokokoukset kolmen kuukauden välein.",
]
FUTURES = [
    "Viiden vuoden kuluttua yksikkö on vakiintunut osa seudun palvelurakennetta.",
    "Toivomme, että kehittämistyö laajenee naapuriseuduille ja tutkimusyhteistyö syvenee.",
    "Odotamme pysyvää kuntarahoitusta ja vahvempaa roolia alueen koulutuksessa.",
]
CHALLENGES = [
    "Rahoituksen jatkuvuus hankekauden jälkeen.",
    "Henkilöstön vaihtuvuus ja kehittämistyön ajan löytäminen perustyön ohessa.",
    "Kuntien erilaiset käytännöt ja tietojärjestelmät.",
]


@click.command("demo")
def demo_command() -> None:
    """Load the demo roster (58 units), an open round with some answers and a closed one
    with 36 submitted; print a few links and an admin's password."""
    result = import_units(DEMO_ROSTER)
    round_ = db.session.scalar(select(Round).filter_by(slug=DEMO_SLUG))
    if round_ is None:
        # 16.00 Finnish time in 30 days, as rounds close.
        day = (to_local(utcnow()) + timedelta(days=30)).date()
        deadline = parse_local(f"{day.isoformat()}T16:00")
        round_ = create_round(
            DEMO_SLUG,
            "KEHY-kartoitus (demo)",
            deadline,
            title_translations={"sv": "KEHY-kartläggning (demo)", "en": "KEHY survey (demo)"},
        )
    was_draft = round_.effective_state() == "draft"
    if was_draft:
        open_round(round_)
    previous_created = _previous_round()
    seed_answers = was_draft and previous_created
    invitations, _created = ensure_invitations(round_)
    if seed_answers:
        _submit(invitations, OPEN_RESPONDING, random.Random(SEED + 1), lift=0.3)  # noqa: S311 (demo data)
    admin_password = None
    if db.session.scalar(select(Admin).filter_by(email=DEMO_ADMIN)) is None:
        admin_password = secrets.token_urlsafe(12)
        create_admin(DEMO_ADMIN, "national", None, admin_password)
    db.session.commit()
    click.echo(
        f"Demo roster: {len(result.codes)} units ({result.created} new). "
        f"Round {round_.slug} is {round_.effective_state()}; "
        f"round {PREVIOUS_SLUG} is closed, with answers."
    )
    click.echo(f"Respondent links (all: flask --app survey_app invitations links {round_.slug}):")
    # Links a newcomer can answer: those of units that have not submitted yet.
    waiting = [invitation for invitation in invitations if invitation.submitted_at is None]
    by_language = {}
    for invitation in waiting:
        by_language.setdefault(invitation.unit.language, invitation)
    samples = [*by_language.values(), *waiting[1:3]]
    for invitation in dict.fromkeys(samples):
        unit = invitation.unit
        click.echo(f"  [{unit.language}] {unit.name}: {link_for(invitation)}")
    if admin_password:
        click.echo(
            f"Admin pages: {current_app.config['BASE_URL']}/admin/ as {DEMO_ADMIN}, "
            f"password {admin_password} (shown once)"
        )
    folder = captured_mail_dir()
    if folder is not None:
        click.echo(
            "Email: with no MAIL_SERVER set, `flask --app survey_app invitations send "
            f"{round_.slug}` and `flask --app survey_app outbox work --once` write each "
            f"message as an .eml file in {folder}"
        )


def _previous_round() -> bool:
    """The closed earlier round with its answers, made once; True if made now."""
    if db.session.scalar(select(Round).filter_by(slug=PREVIOUS_SLUG)) is not None:
        return False
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    round_ = create_round(
        PREVIOUS_SLUG,
        "KEHY-kartoitus syksy (demo)",
        now + timedelta(days=1),
        title_translations={
            "sv": "KEHY-kartläggning hösten (demo)",
            "en": "KEHY survey, autumn (demo)",
        },
    )
    open_round(round_)
    invitations, _created = ensure_invitations(round_)
    _submit(invitations, PREVIOUS_RESPONDING, random.Random(SEED), lift=0.0)  # noqa: S311 (demo data)
    close_round(round_)
    # Moved into the past as if it had run then: deadline 90 days ago, answers before it.
    deadline = now - timedelta(days=90)
    round_.deadline = deadline
    round_.opened_at = deadline - timedelta(days=30)
    round_.closed_at = deadline
    round_.created_at = round_.opened_at
    answered = deadline - timedelta(days=3)
    ids = [invitation.id for invitation in invitations]
    db.session.execute(
        update(Invitation)
        .where(Invitation.id.in_(ids), Invitation.submitted_at.is_not(None))
        .values(submitted_at=answered, first_opened_at=answered)
        .execution_options(synchronize_session=False)
    )
    responses = select(Response.id).where(Response.invitation_id.in_(ids))
    db.session.execute(
        update(Response)
        .where(Response.invitation_id.in_(ids))
        .values(updated_at=answered)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(SubmittedVersion)
        .where(SubmittedVersion.response_id.in_(responses))
        .values(submitted_at=answered)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return True


def _submit(invitations: list[Invitation], count: int, rng: random.Random, lift: float) -> None:
    """Submit answers for `count` units picked at random, through the respondent's own
    service; `lift` is the chance that a "no" or "planned" became better since. No
    receipt is mailed for a demo answer."""
    chosen = sorted(rng.sample(range(len(invitations)), count))
    for index in chosen:
        invitation = invitations[index]
        mark_opened(invitation)
        answers = {**_criteria(rng, lift), **_profile(invitation, rng)}
        save_answers(
            invitation,
            {code: [value] for code, value in answers.items()},
            submit=True,
            language=invitation.unit.language,
            expected_version=None,
            submission_key=None,
        )
    ids = [invitation.id for invitation in invitations]
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.kind == "receipt", OutboxMessage.invitation_id.in_(ids)
        )
    )


def _criteria(rng: random.Random, lift: float) -> dict[str, str]:
    answers = {}
    for code, (yes, planned) in CRITERIA_CHANCES.items():
        if rng.random() < SKIPPED:
            continue
        draw = rng.random()
        value = "yes" if draw < yes else "planned" if draw < yes + planned else "no"
        if value != "yes" and rng.random() < lift:
            value = "yes" if value == "planned" else "planned"
        answers[code] = value
    return answers


def _profile(invitation: Invitation, rng: random.Random) -> dict[str, str]:
    """A plausible KEHY profile in Finnish; some optional fields left empty."""
    unit = invitation.unit
    field_lc = unit.field.lower()
    start = rng.randint(2005, 2008)
    municipalities = rng.randint(3, 14)
    staff = rng.randint(4, 9)
    profile = {
        "kehy_name": unit.name,
        "kehy_municipality": unit.municipality,
        "kehy_area": f"{unit.municipality} ja {municipalities - 1} muuta seudun kuntaa",
        "kehy_staff": (
            f"{staff} henkilöä: kehittämispäällikkö, {staff - 2} kehittäjätyöntekijää "
            f"ja osa-aikainen tutkija; osaamisalueena {field_lc}."
        ),
        "kehy_contact": f"{unit.contact_name}, {unit.contact_email}",
        "kehy_period": f"{start}–",
        "kehy_funding": (
            f"Sosiaali- ja terveysministeriön valtionavustus ja {municipalities} kunnan "
            f"rahoitusosuus; rahoitus on varmistettu vuoteen {utcnow().year + rng.randint(1, 3)}."
        ),
        "kehy_mission": rng.choice(MISSIONS).format(field_lc=field_lc),
        "kehy_methods": rng.choice(METHODS),
        "kehy_future": rng.choice(FUTURES),
        "kehy_challenges": rng.choice(CHALLENGES),
    }
    if rng.random() < 0.3:
        profile["kehy_other"] = "Yksikkö on mukana valtakunnallisessa KEHY-verkostossa."
    return profile
