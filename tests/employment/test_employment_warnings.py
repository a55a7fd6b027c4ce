"""The rules: zero employment, income under the line, a job ended with nothing since.
Raised when the data changes and nightly; cleared when they no longer hold; never twice;
and they change no tier by themselves."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from employment.models import EmploymentWarning, IncomeLine, LabourStatus, WarningKind
from employment.rules import evaluate_warnings
from employment.services import (
    computed_per_capita,
    end_labour,
    propose_from_warning,
    record_income,
    record_labour_status,
)
from employment.tasks import evaluate_warnings as nightly
from monitoring.models import ProposalStatus, TierProposal
from tests.employment.factories import LabourRecordFactory
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(
        datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        yield


def open_kinds(household):
    return sorted(
        EmploymentWarning.objects.filter(household=household, cleared_at__isnull=True).values_list(
            "kind", flat=True
        )
    )


@pytest.fixture
def jobless(grid):
    household = HouseholdFactory(unit=grid.floor_1_1)
    head = MemberFactory(household=household, name="李强", is_labour_force=True)
    MemberFactory(household=household, name="李老", relation="parent", birth_date=datetime.date(1940, 1, 1))
    return household, head


def test_a_household_with_labour_and_nobody_in_work_is_zero_employment(jobless):
    household, _head = jobless
    retired = HouseholdFactory(unit=household.unit)
    MemberFactory(household=retired, name="王奶奶", birth_date=datetime.date(1945, 1, 1))  # no labour force

    raised, cleared = evaluate_warnings(TODAY)

    assert open_kinds(household) == [WarningKind.ZERO_EMPLOYMENT]
    assert open_kinds(retired) == []
    assert (raised, cleared) == (1, 0)
    assert evaluate_warnings(TODAY) == (0, 0)  # nothing twice


def test_it_clears_when_someone_finds_work_and_the_warning_stays_as_history(jobless, people):
    household, head = jobless
    evaluate_warnings(TODAY)

    record_labour_status(
        member=head,
        status=LabourStatus.GIG,
        starts_on=TODAY,
        monthly_income=3000,
        by=people.worker,
    )

    warning = EmploymentWarning.objects.get(household=household)
    assert warning.kind == WarningKind.ZERO_EMPLOYMENT and warning.cleared_at is not None
    assert open_kinds(household) == []


def test_a_member_studying_or_caring_is_not_counted_as_jobless(jobless, people):
    household, head = jobless
    record_labour_status(member=head, status=LabourStatus.CARER, starts_on=TODAY, by=people.worker)

    assert open_kinds(household) == []


def test_income_under_the_warning_line_and_the_line_is_configurable(jobless, people):
    household, head = jobless
    LabourRecordFactory(member=head)
    record_income(household=household, year=2025, per_capita=7500, by=people.staff)
    assert open_kinds(household) == [WarningKind.LOW_INCOME]

    # A corrected figure is a new row; the latest of the latest year counts.
    record_income(household=household, year=2025, per_capita=8200, by=people.staff)
    assert open_kinds(household) == []
    assert household.income_records.count() == 2

    IncomeLine.objects.update(warns=False)
    IncomeLine.objects.filter(yuan=10000).update(warns=True)
    evaluate_warnings(TODAY)
    assert open_kinds(household) == [WarningKind.LOW_INCOME]


def test_an_income_in_the_future_or_below_zero_is_refused(jobless, people):
    household, _ = jobless
    for year, amount, field in [(2030, 9000, "year"), (2025, -1, "per_capita")]:
        with pytest.raises(ValidationError) as refused:
            record_income(household=household, year=year, per_capita=amount, by=people.staff)
        assert field in refused.value.message_dict
    assert not household.income_records.exists()


def test_income_computed_from_the_members_monthly_incomes(jobless):
    household, head = jobless
    LabourRecordFactory(member=head, monthly_income=3000, starts_on=datetime.date(2025, 1, 1))

    # 3,000 a month for the year, shared by two people.
    assert computed_per_capita(household, 2025) == pytest.approx(18000, abs=60)


def test_a_job_ended_thirty_days_ago_with_nothing_since(jobless, people):
    household, head = jobless
    LabourRecordFactory(member=head, starts_on=datetime.date(2024, 1, 1))
    end_labour(member=head, ends_on=TODAY - datetime.timedelta(days=29), by=people.worker)
    assert WarningKind.JOB_ENDED not in open_kinds(household)

    with time_machine.travel(
        datetime.datetime(2026, 11, 27, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        nightly()

    assert WarningKind.JOB_ENDED in open_kinds(household)
    assert EmploymentWarning.objects.get(kind=WarningKind.JOB_ENDED).member == head


def test_a_warning_proposes_a_tier_change_and_never_makes_one(jobless, people, client):
    household, _ = jobless
    evaluate_warnings(TODAY)
    warning = EmploymentWarning.objects.get(household=household)
    client.force_login(people.worker)

    page = client.get(reverse("employment:warnings"))
    response = client.post(
        reverse("employment:warning_propose", args=[warning.pk]),
        {"tier": default_tier("yellow").pk, "reason": "全家无人就业"},
    )

    assert str(household.building.name) in page.content.decode()
    assert response.status_code == 302
    proposal = TierProposal.objects.get(household=household)
    assert proposal.status == ProposalStatus.PENDING and "全家无人就业" in proposal.reason
    household.refresh_from_db()
    assert household.tier == default_tier("green")
    warning.refresh_from_db()
    assert warning.proposal == proposal
    with pytest.raises(ValidationError):
        propose_from_warning(warning=warning, tier=default_tier("red"), reason="again", by=people.worker)


def test_warnings_of_other_scopes_are_not_seen(jobless, people, client):
    household, _ = jobless
    outside = HouseholdFactory(unit=people.outside.unit)
    MemberFactory(household=outside, name="赵一", is_labour_force=True)
    evaluate_warnings(TODAY)
    client.force_login(people.worker)

    listed = client.get(reverse("employment:warnings")).context["warnings"]
    other = EmploymentWarning.objects.get(household=outside)

    assert [w.household for w in listed] == [household]
    assert client.get(reverse("employment:warning_propose", args=[other.pk])).status_code == 404


def test_the_card_and_the_wall_show_the_warning(jobless, people, client):
    household, _ = jobless
    evaluate_warnings(TODAY)
    client.force_login(people.staff)

    card = client.get(reverse("households:card", args=[household.pk])).content.decode()
    tiles = client.get(reverse("monitoring:wall_tiles"), {"mark": "warning"}).json()

    assert "data-warnings" in card
    assert [t[0] for t in tiles["tiles"]] == [household.pk]
    assert tiles["tiles"][0][6] == 8
    assert tiles["figures"]["warnings"] == 1


def test_an_income_page_for_staff_computes_or_takes_the_figure(jobless, people, client):
    household, head = jobless
    LabourRecordFactory(member=head, monthly_income=1000, starts_on=datetime.date(2025, 1, 1))
    client.force_login(people.staff)

    empty = client.post(reverse("employment:income", args=[household.pk]), {"year": 2025})
    assert empty.context["form"].errors["per_capita"] and not household.income_records.exists()

    client.post(reverse("employment:income", args=[household.pk]), {"year": 2025, "compute": "1"})

    record = household.income_records.get()
    assert record.source == "computed" and 5900 < record.per_capita < 6100
    assert open_kinds(household) == [WarningKind.LOW_INCOME]


@pytest.mark.parametrize("year", ["10000", "2099"])
def test_computing_an_income_for_a_year_to_come_is_refused_beside_the_year(jobless, people, client, year):
    household, _head = jobless
    client.force_login(people.staff)

    response = client.post(reverse("employment:income", args=[household.pk]), {"year": year, "compute": "1"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["year"]
    assert not household.income_records.exists()
