"""REST API of the correspondences (`/api/correspondences/`)."""

from rest_framework.routers import DefaultRouter

from .api import CorrespondenceViewSet

app_name = "mappings"
router = DefaultRouter()
router.register("correspondences", CorrespondenceViewSet, basename="correspondence")
urlpatterns = router.urls
