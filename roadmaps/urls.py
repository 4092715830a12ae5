"""Pages of strategy and goals."""

from django.urls import path

from . import views

urlpatterns = [
    path("goals/alignment/", views.alignment, name="goals-alignment"),
    path("goals/export.csv", views.goals_export, name="goals-export"),
    path("goals/mine/", views.my_goals, name="goals-mine"),
    path("goals/people/<int:person_id>/", views.person_goals, name="goals-person"),
    path("goals/<int:goal_id>/", views.goal_detail, name="goal-detail"),
    path("goals/<int:goal_id>/align/", views.goal_align, name="goal-align"),
    path(
        "goals/key-results/<int:key_result_id>/check-in/",
        views.key_result_check_in,
        name="key-result-check-in",
    ),
    path("products/", views.product_list, name="products"),
    path("products/<int:product_id>/", views.product_detail, name="product-detail"),
    path(
        "products/<int:product_id>/transition/",
        views.product_transition_view,
        name="product-transition",
    ),
]
