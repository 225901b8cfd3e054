"""Response-SLA and security clocks under an injected frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from command_support import T0, Story, at

from cockpit.clock import FrozenClock
from cockpit.command.calendar import BusinessCalendar
from cockpit.command.clocks import CLIENT_ITEM, REGULATOR_ITEM, response_clock, security_deadlines
from cockpit.command.schemes import SEV, P, scheme_named
from cockpit.log import events as ev

FRIDAY_5PM = datetime(2025, 11, 14, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("severity", "minutes"),
    [("SEV-1", 5), ("SEV-2", 15), ("SEV-3", 60), ("P0", 15), ("P1", 60), ("P2", 240),
     ("P3", 1440)],
)  # fmt: skip
def test_response_sla_per_severity(severity: str, minutes: int) -> None:
    clock = FrozenClock(at(minutes - 1))
    state = Story().declare(severity).state()
    before = response_clock(state, clock.now())
    assert before is not None and before.deadline == at(minutes)
    assert before.remaining_s == 60 and not before.breached
    clock.advance(120)
    after = response_clock(state, clock.now())
    assert after is not None and after.remaining_s == -60 and after.breached


def test_sev4_is_one_business_day_across_a_weekend() -> None:
    state = Story(FRIDAY_5PM).declare("SEV-4").state()
    clock = FrozenClock(datetime(2025, 11, 16, 12, 0, tzinfo=UTC))  # Sunday noon
    sla = response_clock(state, clock.now())
    assert sla is not None
    assert sla.deadline == datetime(2025, 11, 17, 17, 0, tzinfo=UTC)  # Monday 17:00
    assert sla.remaining_s == 29 * 3600 and not sla.breached


def test_sev4_on_a_weekday_is_the_next_day() -> None:
    state = Story().declare("SEV-4").state()
    sla = response_clock(state, at(0))
    assert sla is not None and sla.deadline == at(24 * 60)


def test_business_day_declared_on_saturday_counts_from_monday() -> None:
    saturday = datetime(2025, 11, 15, 9, 30, tzinfo=UTC)
    due = BusinessCalendar().add_business_days(saturday, 1)
    assert due == datetime(2025, 11, 18, 0, 0, tzinfo=UTC)


def test_calendar_holidays_and_custom_weekend() -> None:
    holiday = FRIDAY_5PM.date()
    calendar = BusinessCalendar.of(weekend=(5, 6), holidays=(at(0).date(),))
    assert not calendar.is_business_day(holiday)  # Friday is weekend here
    assert calendar.add_business_days(at(0), 1) == datetime(2025, 11, 12, 0, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="ISO weekdays"):
        BusinessCalendar.of(weekend=(0,))


def test_acknowledgement_stops_the_clock() -> None:
    story = Story().declare("SEV-2")
    story.add(10, ev.MilestoneSet("acknowledged", at(10).isoformat(), actor="nadia"))
    sla = response_clock(story.state(), at(40))
    assert sla is not None and sla.remaining_s is None and not sla.breached
    assert sla.acknowledged_at == at(10)


def test_late_acknowledgement_stays_breached() -> None:
    story = Story().declare("SEV-1")
    story.add(7, ev.MilestoneSet("acknowledged", at(7).isoformat()))
    sla = response_clock(story.state(), at(30))
    assert sla is not None and sla.breached


def test_clock_runs_from_detection_not_declaration() -> None:
    story = Story().declare("SEV-2", detected_at=at(-10).isoformat())
    sla = response_clock(story.state(), at(0))
    assert sla is not None and sla.start == at(-10) and sla.remaining_s == 5 * 60


def test_upgrade_mid_incident_gets_a_fresh_but_shorter_budget() -> None:
    story = Story().declare("SEV-3")
    story.add(20, ev.IncidentUpdated({"severity": "SEV-1"}, reason="all tenants"))
    sla = response_clock(story.state(), at(22))
    assert sla is not None and sla.severity == "SEV-1"
    assert sla.deadline == at(25) and sla.remaining_s == 180


def test_upgrade_never_extends_the_running_deadline() -> None:
    story = Story().declare("SEV-3")
    story.add(58, ev.IncidentUpdated({"severity": "SEV-2"}))
    sla = response_clock(story.state(), at(58))
    assert sla is not None and sla.deadline == at(60)


def test_downgrade_mid_incident_measures_from_detection() -> None:
    story = Story().declare("SEV-1")
    story.add(3, ev.IncidentUpdated({"severity": "SEV-3"}))
    sla = response_clock(story.state(), at(10))
    assert sla is not None and sla.deadline == at(60) and not sla.breached


def test_unknown_severity_has_no_deadline() -> None:
    sla = response_clock(Story().declare("SEV-9").state(), at(1))
    assert sla is not None and sla.deadline is None and sla.remaining_s is None


def test_no_incident_no_clock() -> None:
    assert response_clock(Story().state(), T0) is None
    assert security_deadlines(Story().state(), T0) == []


def test_security_clocks_24h_and_72h_until_ticked() -> None:
    story = Story().declare("SEV-1", security=True, detected_at=at(-60).isoformat())
    clock = FrozenClock(at(23 * 60))
    clients, regulator = security_deadlines(story.state(), clock.now())
    assert (clients.item, clients.due, clients.remaining_s) == (CLIENT_ITEM, at(23 * 60), 0)
    assert (regulator.item, regulator.due) == (REGULATOR_ITEM, at(71 * 60))
    assert not clients.done and not regulator.done
    story.add(60, ev.ChecklistTicked(CLIENT_ITEM, actor="comms"))
    clients, regulator = security_deadlines(story.state(), clock.now())
    assert clients.done and not regulator.done
    assert security_deadlines(Story().declare("SEV-1").state(), clock.now()) == []


def test_schemes_validate_and_translate() -> None:
    assert SEV.validate("sev 2") == "SEV-2" and P.validate("p0") == "P0"
    with pytest.raises(ValueError, match="not in the 'sev' scheme: use SEV-1, SEV-2"):
        SEV.validate("P1")
    with pytest.raises(ValueError, match="unknown severity scheme"):
        scheme_named("gold")
    assert P.translate("SEV-2") == "P1" and SEV.translate("P3") == "SEV-4"
    assert SEV.translate(None) is None


def test_runbook_check_steps_ticked_in_the_log_join_the_checklist() -> None:
    from cockpit.command.checklist import checklist_rows, known_item

    state = (
        Story()
        .declare()
        .add(3, ev.ChecklistTicked(item="RB-004:leak-owner", done=True, actor="nadia"))
        .state()
    )
    rows = {row.item.key: row for row in checklist_rows(state)}
    assert rows["RB-004:leak-owner"].done
    assert rows["RB-004:leak-owner"].by == "nadia"
    assert rows["RB-004:leak-owner"].at == at(3)
    assert known_item("RB-004:leak-owner", state).group == "runbook"
    assert "open-channel" in rows and not rows["open-channel"].done
