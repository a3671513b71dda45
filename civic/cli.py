"""Flask CLI commands: thin wrappers that call civic.demo services, commit and print."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import with_appcontext

from civic.demo import seed
from civic.extensions import db

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def register(app: Flask) -> None:
    """Add civic's commands to ``flask``."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_info_command)


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Delete the demo organisation and all its data first.")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, help="Used to print the personal links.")
@with_appcontext
def seed_demo_command(reset: bool, base_url: str) -> None:
    """Seed Bydel Bjerke, its staff and the parking survey with synthetic responses (idempotent)."""
    started = time.perf_counter()
    result = seed.seed_demo(db.session, reset=reset)
    db.session.commit()
    seconds = time.perf_counter() - started
    base = base_url.rstrip("/")
    if not result.created:
        click.echo(f"The demo ({result.organisation.name}) is already seeded; nothing changed.")
        click.echo("Use --reset to start over, or `flask demo-info` for logins and links.")
        return
    click.echo(
        f"Seeded {result.organisation.name}: {result.submitted} submitted responses, {result.drafts} drafts, "
        f"in {seconds:.1f} s."
    )
    click.echo(f"Public survey: {base}/s/{result.consultation.public_id}")
    click.echo("Personal links (shown only now; the database keeps only their hashes):")
    for token, segments in zip(result.personal_tokens, seed.DEMO_LINK_SEGMENTS, strict=False):
        click.echo(f"  {base}/p/{token}   ({_segments(segments)})")


@click.command("demo-info")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, help="Where the app is reachable.")
@with_appcontext
def demo_info_command(base_url: str) -> None:
    """Print the demo's address, staff logins, public link and three fresh personal links."""
    info = seed.demo_info(db.session)
    if info is None:
        raise click.ClickException("The demo is not seeded yet; run `flask seed-demo` first.")
    db.session.commit()
    base = base_url.rstrip("/")
    click.echo(f"\ncivic demo: {info.organisation.name} ({info.organisation.parent_name})")
    click.echo(f"  Open                 {base}/")
    click.echo(f"  Staff login          {base}/manage/login")
    click.echo(f"  Password (all staff) {info.password}   (local demo only)")
    for email, role in info.staff:
        click.echo(f"    {role:<10} {email}")
    click.echo(f"  Public survey        {base}/s/{info.consultation.public_id}")
    if info.hearing_public_id:
        click.echo(f"  Public hearing       {base}/h/{info.hearing_public_id}   (moderation: {base}/manage/hearings/)")
    if info.focus_groups:
        _echo_focus_groups(base, info.focus_groups)
    click.echo(f"  Published reports    {base}/reports/{info.organisation.slug}   (no login; last year's pre-study)")
    click.echo(f"  Campaigns            {base}/manage/campaigns/   (a draft invitation to the synthetic registry;")
    click.echo(f"                       sent e-mail and SMS appear in {base}/manage/outbox/ for admins)")
    click.echo("  Personal links, new each time this runs, to try the personal-link flow")
    click.echo("  (each answers once and carries the segments shown):")
    for token, segments in zip(info.personal_tokens, seed.DEMO_LINK_SEGMENTS, strict=False):
        click.echo(f"    {base}/p/{token}   ({_segments(segments)})")
    click.echo("")


def _echo_focus_groups(base: str, groups: seed.FocusGroupInfo) -> None:
    click.echo(f"  Focus group (live)   {base}/f/{groups.live_public_id}   ({groups.when}, Oslo time; invited only)")
    click.echo(f"    moderator console  {base}/manage/focus-groups/{groups.live_consultation_id}/console")
    click.echo(f"    calendar (.ics)    {base}/f/{groups.live_public_id}/calendar.ics")
    click.echo("    personal links, new each time this runs (each takes one seat, with the segments shown):")
    for token, segments in zip(groups.tokens, seed.DEMO_LINK_SEGMENTS, strict=False):
        click.echo(f"      {base}/f/join/{token}   ({_segments(segments)})")
    click.echo(f"  Focus group (async)  {base}/f/{groups.async_public_id}   (public, open this week)")
    click.echo(
        f"  Focus group (held)   {base}/manage/focus-groups/{groups.finished_consultation_id}/transcript"
        "   (25 parents, ten days ago)"
    )


def _segments(segments: dict[str, str]) -> str:
    return ", ".join(segments.values())
