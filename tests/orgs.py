"""Sample organisations for tests that need more than one plain workspace.

An Enterprise Grid org, Acme Corp (E0001), of two workspaces: Acme (T0001, the defaults, with
Olivia an org admin and #acme-partners shared with two other organisations) and Acme EU
(T0002), where Dana is an admin and Eva works. Partner (T0900) is a workspace of another org,
Partner Inc (E0900); Solo (T0500) is on no Grid org."""

from __future__ import annotations

from slack_standin.workspace import SlackChannel, SlackUser, Workspace


def acme() -> Workspace:
    hq = Workspace(enterprise_id="E0001", enterprise_name="Acme Corp")
    owner = hq.user("UOWNER")
    assert owner is not None
    owner.is_org_admin = True
    hq.channels.append(SlackChannel("C0SHARED", "acme-partners", shared_with={"T0900", "T0500"}))
    return hq


def acme_eu() -> Workspace:
    return Workspace(
        team_id="T0002",
        team_name="Acme EU",
        domain="acme-eu",
        users=[
            SlackUser("UOWNER", "olivia", "Olivia Owens", is_org_admin=True),
            SlackUser("UDANA", "dana", "Dana Diaz", is_admin=True),
            SlackUser("UEVA", "eva", "Eva Weber"),
            SlackUser("UBOT", "licensebot", "License Bot", is_bot=True),
        ],
        channels=[SlackChannel("C2GENERAL", "general"), SlackChannel("C2SALES", "sales")],
        enterprise_id="E0001",
        enterprise_name="Acme Corp",
    )


def partner() -> Workspace:
    return Workspace(
        team_id="T0900",
        team_name="Partner",
        domain="partner",
        bot_user_id="UPBOT",
        bot_id="B0900",
        users=[
            SlackUser("UPAT", "pat", "Pat Palmer", is_admin=True, is_owner=True),
            SlackUser("UPBOT", "licensebot", "License Bot", is_bot=True),
        ],
        channels=[SlackChannel("C9GENERAL", "general")],
        enterprise_id="E0900",
        enterprise_name="Partner Inc",
    )


def solo() -> Workspace:
    return Workspace(
        team_id="T0500",
        team_name="Solo",
        domain="solo",
        bot_user_id="USBOT",
        users=[SlackUser("USAM", "sam", "Sam Stone", is_admin=True, is_owner=True)],
        channels=[SlackChannel("C5GENERAL", "general")],
    )
