"""The products list (filters by unit and stage, htmx on the same URL) and the product
page: lifecycle and its history, vision, goals, roadmap, and the stage transition form."""

from __future__ import annotations

from roadmaps.models import Period, Product, ProductStageTransition, RoadmapItem, Vision
from roadmaps.services import product_create, roadmap_item_save
from roles.models import BusinessUnit

from .conftest import HX


def names(response) -> list[str]:
    return [p.name for p in response.context["page"].object_list]


def test_products_list_with_stage_badges_and_owners(client, cast, goals):
    growth = BusinessUnit.objects.create(name="Growth", slug="growth")
    activation = BusinessUnit.objects.create(name="Activation", slug="activation", parent=growth)
    product_create(name="Onboarding", slug="onboarding", business_unit=activation, stage="growth")
    client.force_login(cast.peer_user)
    response = client.get("/products/")
    assert names(response) == ["Checkout", "Onboarding"]
    page = response.content.decode()
    assert '<span class="stage stage--launch">Launch</span>' in page
    assert '<span class="owner__name">Priya</span>' in page and "No owner" in page
    # By stage, and by unit including the units nested in it.
    assert names(client.get("/products/", {"stage": "growth"})) == ["Onboarding"]
    assert names(client.get("/products/", {"business_unit": growth.pk})) == ["Onboarding"]
    assert names(client.get("/products/", {"search": "check"})) == ["Checkout"]
    assert names(client.get("/products/", {"stage": "nope", "business_unit": "x"})) == [
        "Checkout",
        "Onboarding",
    ]


def test_products_list_htmx_gets_only_the_results(client, cast, goals):
    client.force_login(cast.peer_user)
    page = client.get("/products/", {"stage": "launch"}, **HX).content.decode()
    assert page.startswith('<section id="product-results"')
    assert "1 product found" in page and "<html" not in page
    assert 'id="results-status"' in page
    page = client.get("/products/", {"stage": "retired"}).content.decode()
    assert "No product matches these filters" in page
    Product.objects.all().delete()
    assert "No products yet" in client.get("/products/").content.decode()


def test_the_product_page(client, cast, goals):
    Vision.objects.create(
        scope=Vision.Scope.PRODUCT,
        product=goals.product,
        statement="Checkout in one click.",
        pillars=["Speed", "Trust"],
    )
    later = Period.objects.create(
        name="Next year", kind=Period.Kind.YEAR, start="2099-01-01", end="2099-12-31"
    )
    roadmap_item_save(product=goals.product, title="Saved cards", horizon="now", goals=[goals.team])
    roadmap_item_save(
        product=goals.product, title="Secret item", horizon="next", goals=[goals.private]
    )
    roadmap_item_save(product=goals.product, title="BNPL", horizon="later")
    roadmap_item_save(product=goals.product, title="PSD3", target_period=later)
    client.force_login(cast.peer_user)
    response = client.get(f"/products/{goals.product.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Checkout</h1>" in page and "Checkout in one click." in page
    assert "<li>Speed</li>" in page
    # Lifecycle: the stages in order, the current one marked, with its history.
    assert 'aria-current="step"' in page
    assert page.index("Discovery") < page.index('aria-current="step"') < page.index("Maturity")
    assert "Product created." in page
    # Roadmap: now / next / later, and items with only a target period apart.
    columns = {label: [i.title for i in items] for label, _, items in response.context["columns"]}
    assert columns == {"Now": ["Saved cards"], "Next": ["Secret item"], "Later": ["BNPL"]}
    assert [(p.name, [i.title for i in items]) for p, items in response.context["scheduled"]] == [
        ("Next year", ["PSD3"])
    ]
    assert "Scheduled for a period" in page
    # Goals of the product: never the private ones of someone outside the viewer's chain,
    # not even as a goal a roadmap item serves.
    assert [g.title for g in response.context["goals"]] == ["Ship one-click checkout"]
    assert "Secret pricing" not in page
    # A peer may not move the product.
    assert "Move to another stage" not in page
    client.force_login(cast.leader_user)
    response = client.get(f"/products/{goals.product.pk}/")
    assert {g.title for g in response.context["goals"]} == {
        "Ship one-click checkout",
        "Secret pricing experiment",
    }
    assert "Move to another stage" in response.content.decode()


def test_an_unknown_product_is_not_found(client, cast):
    client.force_login(cast.peer_user)
    assert client.get("/products/999999/").status_code == 404


def test_the_owner_moves_the_product_to_another_stage(client, cast, goals):
    client.force_login(cast.report_user)
    response = client.post(
        f"/products/{goals.product.pk}/transition/",
        {"to_stage": "pmf", "reason": "Retention above 90%."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/products/{goals.product.pk}/#lifecycle"
    assert Product.objects.get(pk=goals.product.pk).stage == "pmf"
    last = ProductStageTransition.objects.filter(product=goals.product).first()
    assert (last.from_stage, last.to_stage, last.changed_by) == ("launch", "pmf", cast.report_user)
    page = client.get(response["Location"]).content.decode()
    assert "Checkout is now in Product-market fit." in page
    assert "Retention above 90%." in page and "Priya" in page


def test_moving_back_without_a_reason_is_refused_next_to_the_reason(client, cast, goals):
    client.force_login(cast.report_user)
    response = client.post(
        f"/products/{goals.product.pk}/transition/", {"to_stage": "discovery", "reason": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="transition-reason-error">Give a reason to move back a stage.</p>' in page
    assert 'aria-describedby="transition-reason-help transition-reason-error"' in page
    assert '<details class="transition" open>' in page
    assert Product.objects.get(pk=goals.product.pk).stage == "launch"
    response = client.post(f"/products/{goals.product.pk}/transition/", {"to_stage": ""})
    assert 'id="transition-to_stage-error">Choose a stage.</p>' in response.content.decode()
    # The current stage is not offered.
    response = client.post(f"/products/{goals.product.pk}/transition/", {"to_stage": "launch"})
    assert response.status_code == 400
    assert ProductStageTransition.objects.filter(product=goals.product).count() == 1


def test_only_the_owner_their_chain_and_hr_move_a_product(client, cast, goals):
    client.force_login(cast.peer_user)
    response = client.post(f"/products/{goals.product.pk}/transition/", {"to_stage": "pmf"})
    assert response.status_code == 403
    client.force_login(cast.top.user)
    response = client.post(f"/products/{goals.product.pk}/transition/", {"to_stage": "pmf"})
    assert response.status_code == 302
    assert RoadmapItem.objects.count() == 0
