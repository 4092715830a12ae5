"""Strategy and goals in the HR admin: every page opens for HR and nobody else, lists cost
the same queries for few rows or many, and every save goes through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from productorg.errors import ApplicationError
from roadmaps import services
from roadmaps.models import (
    CheckIn,
    Goal,
    GoalLink,
    KeyResult,
    Period,
    Product,
    ProductStageTransition,
    RoadmapItem,
    StagePolicy,
    Vision,
)
from tests.factories import UserFactory

from .conftest import make_goal, make_kr

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "product",
    "stagepolicy",
    "vision",
    "period",
    "goal",
    "goallink",
    "keyresult",
    "checkin",
    "roadmapitem",
]


@pytest.fixture
def hr_client(client, cast):
    client.force_login(cast.hr_user)
    return client


@pytest.fixture
def strategy(cast, quarter, cascade):
    """A product with a stage history, visions, the cascade's key results and check-ins,
    and a roadmap item serving the team goal."""
    product = services.product_create(
        name="Checkout",
        slug="checkout",
        business_unit=cast.report.business_unit,
        team=cast.report.team,
        owner=cast.report,
    )
    services.product_transition(product=product, to_stage="launch", reason="Beta is ready.")
    services.vision_save(scope="company", statement="Sell anywhere.", pillars=["Speed"])
    services.vision_save(scope="product", product=product, statement="One click.", pillars=[])
    kr = make_kr(cascade["team"], "Conversion", start=2, target=4)
    services.check_in_create(key_result=kr, author=cast.report, value=3, confidence=7)
    make_kr(cascade["company"], "Latency", start=900, target=400, direction="decrease")
    item = services.roadmap_item_save(
        product=product, title="One-click pay", horizon="now", goals=[cascade["team"]]
    )
    return {"product": product, "kr": kr, "item": item, **cascade}


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:roadmaps_{model}_{view}", args=args)


def form_data(response, **changes) -> dict:
    """The POST a browser would send back from an admin change page, with ``changes``."""
    data = {}

    def put(form, name):
        value = form[name].value()
        if value is None or value is False:
            return
        data[form.add_prefix(name)] = "on" if value is True else value

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for inline_form in formset.forms:
            for name in inline_form.fields:
                put(inline_form, name)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def errors(response) -> dict:
    return response.context["adminform"].form.errors


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Who gets in ---------------------------------------------------------------------------


def test_every_page_opens_for_an_hr_admin(hr_client, strategy):
    objects = {
        "product": strategy["product"],
        "stagepolicy": StagePolicy.objects.get(stage="growth"),
        "vision": Vision.objects.get(scope="company"),
        "period": strategy["company"].period,
        "goal": strategy["team"],
        "goallink": GoalLink.objects.first(),
        "keyresult": strategy["kr"],
        "checkin": CheckIn.objects.get(),
        "roadmapitem": strategy["item"],
    }
    pages = [url(model) for model in CHANGELISTS]
    pages += [url(model, "change", obj.pk) for model, obj in objects.items()]
    pages += [url(model, "history", obj.pk) for model, obj in objects.items()]
    pages += [url(m, "add") for m in CHANGELISTS if m not in ("stagepolicy", "checkin")]
    pages += [url("product", "transition", strategy["product"].pk)]
    pages += [url("product", "export"), url("goal", "export"), reverse("admin:index")]
    for page in pages:
        assert hr_client.get(page).status_code == 200, page


def test_staff_and_members_are_sent_to_sign_in(client, cast, strategy):
    for user in (UserFactory(is_staff=True), cast.leader_user):
        client.force_login(user)
        for model in ("goal", "product", "checkin"):
            response = client.get(url(model))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))


def test_the_goal_page_shows_its_links_key_results_and_how_progress_is_computed(
    hr_client, strategy
):
    page = hr_client.get(url("goal", "change", strategy["unit"].pk)).content.decode()
    assert "Win the mid-market" in page  # aligns to
    assert "Ship one-click checkout" in page  # aligned to it
    assert "How the progress is computed" in page
    company = hr_client.get(url("goal", "change", strategy["company"].pk)).content.decode()
    assert "Latency" in company and "No (supports)" in company


# --- Queries do not grow with rows -------------------------------------------------------------


def grow(cast, period: Period, n: int, tag: str) -> None:
    """``n`` more of everything the changelists show."""
    for i in range(n):
        name = f"{tag}{i}"
        product = services.product_create(
            name=name,
            slug=name,
            business_unit=cast.report.business_unit,
            team=cast.report.team,
            owner=cast.report,
        )
        services.vision_save(scope="product", product=product, statement=name, pillars=["x"])
        parent = make_goal(period, f"Parent {name}", owner=cast.leader, product=product)
        goal = make_goal(period, f"Goal {name}", owner=cast.report, team=cast.report.team)
        services.goal_link_create(child=goal, parent=parent)
        kr = make_kr(goal, f"KR {name}")
        services.check_in_create(key_result=kr, author=cast.report, value=i)
        services.roadmap_item_save(
            product=product, title=name, horizon="next", owner=cast.report, goals=[goal, parent]
        )
        Period.objects.create(
            name=name, kind="quarter", start=dt.date(2030, 1, 1), end=dt.date(2030, 3, 31)
        )


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelists_take_the_same_queries_for_2_and_25_rows(hr_client, cast, quarter, model):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert hr_client.get(url(model)).status_code == 200
        return len(ctx)

    grow(cast, quarter, 2, "a")
    few = count()
    grow(cast, quarter, 23, "b")
    assert count() == few


def test_change_pages_take_the_same_queries_however_many_rows_they_list(
    hr_client, cast, quarter, strategy
):
    def count(model, obj) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert hr_client.get(url(model, "change", obj.pk)).status_code == 200
        return len(ctx)

    product, goal = strategy["product"], strategy["team"]
    before = count("product", product), count("goal", goal)
    for stage in ("pmf", "growth", "maturity", "growth", "maturity"):
        services.product_transition(product=product, to_stage=stage, reason="Demo.")
    for i in range(6):
        make_kr(goal, f"More {i}")
        child = make_goal(quarter, f"Child {i}", owner=cast.subreport, level="individual")
        services.goal_link_create(child=child, parent=goal)
        services.goal_link_create(child=goal, parent=make_goal(quarter, f"Up {i}", level="company"))
    assert (count("product", product), count("goal", goal)) == before


# --- Goals and links through the services -----------------------------------------------------


def test_a_link_that_would_close_a_cycle_is_a_form_error(hr_client, strategy):
    company, team = strategy["company"], strategy["team"]
    links = GoalLink.objects.count()

    response = hr_client.post(
        url("goallink", "add"),
        {"child": company.pk, "parent": team.pk, "kind": "contributes", "weight": "1"},
    )

    assert response.status_code == 200
    assert list(errors(response)) == ["parent"]
    assert "would form a cycle" in errors(response)["parent"][0]
    assert GoalLink.objects.count() == links


def test_a_link_between_periods_that_do_not_overlap_is_a_form_error(
    hr_client, cast, strategy, next_quarter
):
    later = make_goal(next_quarter, "Next quarter's bet", owner=cast.report)
    response = hr_client.post(
        url("goallink", "add"),
        {"child": later.pk, "parent": strategy["company"].pk, "kind": "contributes", "weight": "1"},
    )
    assert response.status_code == 200
    assert "does not overlap" in errors(response)["parent"][0]
    assert not GoalLink.objects.filter(child=later).exists()


def test_a_link_made_in_the_admin_moves_the_parent_and_is_in_history(hr_client, cast, strategy):
    company, team = strategy["company"], strategy["team"]
    team.refresh_from_db()
    assert team.progress == 50

    response = hr_client.post(
        url("goallink", "add"),
        {"child": team.pk, "parent": company.pk, "kind": "contributes", "weight": "3"},
    )

    assert response.status_code == 302
    link = GoalLink.objects.get(child=team, parent=company)
    assert link.weight == 3
    assert link.history.get().history_user == cast.hr_user
    company.refresh_from_db()
    # Its latency key result (0) and the unit goal (weight 2, 50) and the team goal (weight 3, 50).
    assert company.progress == Decimal("41.67")


def test_editing_a_link_keeps_its_goals_and_recomputes_the_parent(hr_client, strategy):
    link = GoalLink.objects.get(child=strategy["team"], parent=strategy["unit"])
    page = hr_client.get(url("goallink", "change", link.pk))
    assert "child" not in page.context["adminform"].form.fields

    response = hr_client.post(
        url("goallink", "change", link.pk), {"kind": "supports", "weight": "1"}
    )

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.kind == "supports"
    strategy["unit"].refresh_from_db()
    assert strategy["unit"].progress == 0  # nothing contributes to it any more


def test_progress_cannot_be_typed_in(hr_client, strategy):
    goal = strategy["team"]
    page = hr_client.get(url("goal", "change", goal.pk))
    assert "progress" not in page.context["adminform"].form.fields

    response = hr_client.post(
        url("goal", "change", goal.pk), form_data(page, progress="99", title="Renamed")
    )

    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.progress) == ("Renamed", Decimal("50"))
    assert goal.history.first().history_user.username == "hr@example.com"


def test_moving_a_linked_goal_to_a_period_it_no_longer_overlaps_is_a_form_error(
    hr_client, strategy, next_quarter
):
    goal = strategy["team"]
    page = hr_client.get(url("goal", "change", goal.pk))

    response = hr_client.post(
        url("goal", "change", goal.pk), form_data(page, period=next_quarter.pk)
    )

    assert response.status_code == 200
    assert "unlink it first" in errors(response)["period"][0]
    goal.refresh_from_db()
    assert goal.period != next_quarter


def test_key_results_are_added_and_changed_on_the_goal_page_through_the_services(
    hr_client, strategy
):
    goal = strategy["team"]
    page = hr_client.get(url("goal", "change", goal.pk))
    data = form_data(page)
    data.update(
        {
            "key_results-0-weight": "3",  # the conversion key result, at 50%
            "key_results-TOTAL_FORMS": "2",
            "key_results-1-title": "Refunds in a day",
            "key_results-1-unit": "%",
            "key_results-1-start_value": "0",
            "key_results-1-target_value": "100",
            "key_results-1-direction": "increase",
            "key_results-1-weight": "1",
            "key_results-1-goal": goal.pk,
        }
    )

    response = hr_client.post(url("goal", "change", goal.pk), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    added = KeyResult.objects.get(goal=goal, title="Refunds in a day")
    assert (added.current_value, added.progress) == (0, 0)
    goal.refresh_from_db()
    assert goal.progress == Decimal("37.50")  # (50 × 3 + 0 × 1) ÷ 4
    assert strategy["kr"].history.first().history_user.username == "hr@example.com"


def test_a_key_result_aiming_the_wrong_way_is_an_error_on_its_row(hr_client, strategy):
    goal, kr = strategy["team"], strategy["kr"]
    page = hr_client.get(url("goal", "change", goal.pk))
    response = hr_client.post(
        url("goal", "change", goal.pk),
        form_data(page, **{"key_results-0-target_value": "1", "title": "Not saved"}),
    )

    assert response.status_code == 200
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert "target must be above the start" in " ".join(row.non_field_errors())
    kr.refresh_from_db()
    goal.refresh_from_db()
    assert (kr.target_value, goal.title) == (4, "Ship one-click checkout")


def test_a_refusal_of_the_key_result_service_is_shown_on_its_row_and_undoes_the_goal(
    hr_client, strategy, monkeypatch
):
    """A rule only the service knows: the goal's own change is rolled back with it."""

    def refuse(**kwargs):
        raise ApplicationError.for_field("weight", "Weights are frozen this quarter.")

    monkeypatch.setattr(services, "key_result_update", refuse)
    goal = strategy["team"]
    page = hr_client.get(url("goal", "change", goal.pk))

    response = hr_client.post(
        url("goal", "change", goal.pk),
        form_data(page, **{"key_results-0-weight": "2", "title": "Not saved"}),
    )

    assert response.status_code == 200
    row = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert row.errors["weight"] == ["Weights are frozen this quarter."]
    assert not errors(response)
    goal.refresh_from_db()
    assert goal.title == "Ship one-click checkout"
    assert goal.history.count() == 1


def test_a_key_result_deleted_on_the_goal_page_leaves_its_progress(hr_client, strategy):
    goal = strategy["team"]
    page = hr_client.get(url("goal", "change", goal.pk))
    response = hr_client.post(
        url("goal", "change", goal.pk), form_data(page, **{"key_results-0-DELETE": "on"})
    )
    assert response.status_code == 302
    assert not KeyResult.objects.filter(goal=goal).exists()
    goal.refresh_from_db()
    assert goal.progress == 0


def test_check_ins_are_read_only(hr_client, strategy):
    check_in = CheckIn.objects.get()
    assert hr_client.get(url("checkin", "add")).status_code == 403
    hr_client.post(url("checkin", "change", check_in.pk), {"value": "99"})
    check_in.refresh_from_db()
    assert check_in.value == 3
    page = hr_client.get(url("checkin"))
    assert b"delete_selected" not in page.content


# --- Products and their lifecycle ----------------------------------------------------------------


def test_the_stage_is_not_a_field_of_the_product_form(hr_client, strategy):
    product = strategy["product"]
    page = hr_client.get(url("product", "change", product.pk))
    assert "stage" not in page.context["adminform"].form.fields
    assert "Change stage…" in page.content.decode()

    response = hr_client.post(
        url("product", "change", product.pk), form_data(page, stage="retired", name="Pay")
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.stage) == ("Pay", "launch")


def test_a_new_product_starts_in_the_stage_chosen_and_logs_it(hr_client, cast):
    response = hr_client.post(
        url("product", "add"),
        {
            "name": "Wallet",
            "slug": "wallet",
            "business_unit": cast.report.business_unit_id,
            "owner": cast.report.pk,
            "stage": "discovery",
            "stage_transitions-TOTAL_FORMS": "0",
            "stage_transitions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    transition = ProductStageTransition.objects.get(product__slug="wallet")
    assert (transition.to_stage, transition.changed_by) == ("discovery", cast.hr_user)


def test_changing_the_stage_needs_a_reason(hr_client, strategy):
    product = strategy["product"]
    response = hr_client.post(
        url("product", "transition", product.pk), {"to_stage": "pmf", "reason": "  "}
    )

    assert response.status_code == 200
    assert "Give a reason" in response.context["form"].errors["reason"][0]
    product.refresh_from_db()
    assert product.stage == "launch"
    assert product.stage_transitions.count() == 2


def test_a_stage_change_is_logged_with_who_and_why(hr_client, cast, strategy):
    product = strategy["product"]
    response = hr_client.post(
        url("product", "transition", product.pk),
        {"to_stage": "pmf", "reason": "Launched to everyone; now proving retention."},
    )

    assert response.status_code == 302
    assert response["Location"] == url("product", "change", product.pk)
    product.refresh_from_db()
    assert product.stage == "pmf"
    last = product.stage_transitions.first()
    assert (last.from_stage, last.to_stage, last.changed_by) == ("launch", "pmf", cast.hr_user)
    assert last.reason == "Launched to everyone; now proving retention."
    page = hr_client.get(url("product", "change", product.pk)).content.decode()
    assert "now proving retention" in page  # the stage log, on the product's page


def test_the_action_moves_the_selected_products_and_reports_refusals(hr_client, cast, strategy):
    pay = strategy["product"]
    wallet = services.product_create(
        name="Wallet", slug="wallet", business_unit=cast.report.business_unit, stage="pmf"
    )
    selection = {"action": "transition_selected", "_selected_action": [pay.pk, wallet.pk]}

    page = hr_client.post(url("product"), selection)
    assert page.status_code == 200
    assert "Change the lifecycle stage" in page.content.decode()

    response = hr_client.post(
        url("product"), {**selection, "apply": "1", "to_stage": "pmf", "reason": "Both at fit."}
    )

    assert response.status_code == 302
    pay.refresh_from_db()
    wallet.refresh_from_db()
    assert (pay.stage, wallet.stage) == ("pmf", "pmf")
    assert pay.stage_transitions.first().reason == "Both at fit."
    notes = messages_of(response)
    assert "Moved 1 product(s)." in notes
    assert any("Wallet" in n and "already in" in n for n in notes)


def test_the_stage_policy_table_is_edited_in_the_list(hr_client, cast):
    policies = list(StagePolicy.objects.all())
    order = [p.stage for p in hr_client.get(url("stagepolicy")).context["cl"].result_list]
    assert order == ["discovery", "launch", "pmf", "growth", "maturity", "sunset", "retired"]
    data = {
        "form-TOTAL_FORMS": str(len(policies)),
        "form-INITIAL_FORMS": str(len(policies)),
        "_save": "Save",
    }
    for i, policy in enumerate(policies):
        data[f"form-{i}-id"] = policy.pk
        data[f"form-{i}-review_cadence"] = policy.review_cadence
        data[f"form-{i}-expected_metric_keys"] = ", ".join(policy.expected_metric_keys)
        if policy.stage == "launch":
            data[f"form-{i}-review_cadence"] = "biweekly"
            data[f"form-{i}-expected_metric_keys"] = "activation_rate, nps, activation_rate"

    response = hr_client.post(url("stagepolicy"), data)

    assert response.status_code == 302
    launch = StagePolicy.objects.get(stage="launch")
    assert (launch.review_cadence, launch.expected_metric_keys) == (
        "biweekly",
        ["activation_rate", "nps"],
    )
    assert launch.history.first().history_user == cast.hr_user


def test_a_metric_key_that_is_not_a_slug_is_a_form_error(hr_client):
    policy = StagePolicy.objects.get(stage="growth")
    response = hr_client.post(
        url("stagepolicy", "change", policy.pk),
        {
            "review_cadence": "monthly",
            "expected_metric_keys": "revenue, weekly active users",
            "description": "",
        },
    )
    assert response.status_code == 200
    assert "letters, digits" in errors(response)["expected_metric_keys"][0]
    policy.refresh_from_db()
    assert "revenue" in policy.expected_metric_keys and len(policy.expected_metric_keys) == 3


# --- Visions, periods, roadmaps, exports ----------------------------------------------------------


def test_vision_pillars_are_one_per_line_and_every_version_is_kept(hr_client, cast, strategy):
    vision = Vision.objects.get(scope="company")
    page = hr_client.get(url("vision", "change", vision.pk))
    response = hr_client.post(
        url("vision", "change", vision.pk),
        form_data(page, pillars="Speed\n\n  Trust  \nReach", horizon="2027–2029"),
    )
    assert response.status_code == 302
    vision.refresh_from_db()
    assert vision.pillars == ["Speed", "Trust", "Reach"]
    assert vision.history.count() == 2
    assert vision.history.first().history_user == cast.hr_user


def test_a_vision_whose_subject_does_not_match_its_scope_is_a_form_error(hr_client, strategy):
    response = hr_client.post(
        url("vision", "add"),
        {"scope": "product", "statement": "No product given.", "pillars": ""},
    )
    assert response.status_code == 200
    assert errors(response)
    assert Vision.objects.count() == 2


def test_a_period_with_goals_is_not_deleted(hr_client, strategy):
    period = strategy["company"].period
    response = hr_client.post(url("period", "delete", period.pk), {"post": "yes"})
    # The admin lists the goals that protect it instead of deleting.
    assert response.status_code == 200
    assert "Win the mid-market" in response.content.decode()
    assert Period.objects.filter(pk=period.pk).exists()


def test_a_period_ending_before_it_starts_is_a_form_error(hr_client):
    response = hr_client.post(
        url("period", "add"),
        {"name": "Backwards", "kind": "quarter", "start": "2027-03-31", "end": "2027-01-01"},
    )
    assert response.status_code == 200
    assert not Period.objects.filter(name="Backwards").exists()


def test_roadmap_items_are_saved_with_the_goals_they_serve(hr_client, cast, strategy):
    item = strategy["item"]
    page = hr_client.get(url("roadmapitem", "change", item.pk))
    response = hr_client.post(
        url("roadmapitem", "change", item.pk),
        form_data(page, goals=[strategy["unit"].pk, strategy["company"].pk], status="done"),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"
    assert set(item.goals.all()) == {strategy["unit"], strategy["company"]}
    assert item.history.first().history_user == cast.hr_user


def test_exports_name_things_and_include_private_goals(hr_client, cast, strategy):
    make_goal(strategy["company"].period, "Learn SQL", owner=cast.report, visibility="private")
    response = hr_client.post(url("goal", "export"), {"format": "0", "resource": "0"})
    text = response.content.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("goal id,title,period,level,owner email")
    assert "Learn SQL" in text and "priya@example.com" in text
    products = hr_client.post(url("product", "export"), {"format": "0", "resource": "0"})
    assert (
        "Checkout,checkout,Payments,Checkout,priya@example.com,Launch"
        in products.content.decode("utf-8-sig")
    )
    for model in ("vision", "keyresult", "checkin"):
        assert hr_client.get(url(model)).context.get("has_export_permission") in (None, False)


def test_roadmap_items_only_belong_to_existing_products(hr_client, strategy):
    before = RoadmapItem.objects.count()
    response = hr_client.post(
        url("roadmapitem", "add"), {"title": "Orphan", "horizon": "now", "status": "idea"}
    )
    assert response.status_code == 200 and "product" in errors(response)
    assert RoadmapItem.objects.count() == before
    assert Product.objects.count() == 1
    assert Goal.objects.count() == 4
