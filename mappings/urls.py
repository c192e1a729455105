"""REST API of the correspondences (filled in by the mappings work)."""

app_name = "mappings"
urlpatterns: list = []
