from config.urls_helpers import v1_path
from pools import views

urlpatterns = [
    *v1_path("matching/pools", views.PoolCreateApi.as_view(), "matching-pools"),
    *v1_path("matching/pools/my", views.PoolMyApi.as_view(), "matching-pools-my"),
    *v1_path("matching/pools/stats", views.PoolStatsApi.as_view(), "matching-pools-stats"),
    *v1_path("matching/pools/<uuid:pool_id>", views.PoolCancelApi.as_view(), "matching-pool"),
    *v1_path("matching/proposals", views.ProposalListApi.as_view(), "matching-proposals"),
    *v1_path(
        "matching/proposals/<uuid:proposal_id>/accept", views.ProposalAcceptApi.as_view(), "matching-proposal-accept"
    ),
    *v1_path(
        "matching/proposals/<uuid:proposal_id>/reject", views.ProposalRejectApi.as_view(), "matching-proposal-reject"
    ),
    *v1_path("admin/matching/stats", views.AdminMatchingStatsApi.as_view(), "admin-matching-stats"),
]
