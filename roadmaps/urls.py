"""Pages of strategy and goals."""

from django.urls import path

from .views import goals, metrics, products, tree

urlpatterns = [
    path("goals/alignment/", tree.alignment, name="goals-alignment"),
    path("goals/export.csv", tree.goals_export, name="goals-export"),
    path("goals/mine/", goals.my_goals, name="goals-mine"),
    path("goals/people/<int:person_id>/", goals.person_goals, name="goals-person"),
    path("goals/<int:goal_id>/", goals.goal_detail, name="goal-detail"),
    path("goals/<int:goal_id>/align/", goals.goal_align, name="goal-align"),
    path(
        "goals/key-results/<int:key_result_id>/check-in/",
        goals.key_result_check_in,
        name="key-result-check-in",
    ),
    path("products/", products.product_list, name="products"),
    path("products/<int:product_id>/", products.product_detail, name="product-detail"),
    path(
        "products/<int:product_id>/transition/",
        products.product_transition_view,
        name="product-transition",
    ),
    path(
        "products/<int:product_id>/metrics/upload/",
        metrics.product_metrics_upload,
        name="product-metrics-upload",
    ),
]
