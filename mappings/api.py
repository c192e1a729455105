"""REST API of the correspondences, scoped to the user's institutions (another institution's
objects answer 404); the interface is shown by id and name only, never its credentials."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from channels.models import ExternalSalesInterface
from channels.tenancy import scope_queryset

from .locks import LOCKED_REASON, correspondence_is_locked
from .models import TARGET_FIELDS, Correspondence, Kind, institution_targets


class CorrespondenceSerializer(serializers.ModelSerializer):
    interface = serializers.PrimaryKeyRelatedField(queryset=ExternalSalesInterface.objects.none())
    interface_name = serializers.CharField(source="interface.internal_name", read_only=True)
    object_id = serializers.IntegerField(
        source="target_id", min_value=1,
        help_text="Id of the event, performance, configuration, zone, category or tariff, "
        "according to kind.",
    )
    object_label = serializers.SerializerMethodField()
    codes = serializers.SerializerMethodField()

    class Meta:
        model = Correspondence
        fields = ["id", "interface", "interface_name", "kind", "object_id", "object_label",
                  "code", "codes", "updated_at"]
        read_only_fields = ["updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["interface"].queryset = scope_queryset(
                ExternalSalesInterface.objects.all(), request.user
            )

    def get_object_label(self, obj) -> str:
        return str(obj.target)

    def get_codes(self, obj) -> list[str]:
        """The code split into Ticketnet's codes (several for a tariff)."""
        return obj.code.split("|") if obj.kind == Kind.TARIFF else [obj.code]

    def validate(self, attrs):
        instance = self.instance or Correspondence()
        interface = attrs.get("interface", getattr(instance, "interface", None))
        kind = attrs.get("kind", instance.kind)
        object_id = attrs.pop("target_id", None)
        if object_id is None:
            object_id = instance.target_id
        target_exists = institution_targets(
            kind=kind, institution_id=interface.institution_id
        ).filter(pk=object_id).exists()
        if not target_exists:
            raise ValidationError({"object_id": [
                f"No {Kind(kind).label.lower()} with id {object_id} in the interface's "
                "institution."
            ]})
        instance.interface = interface
        instance.code = attrs.get("code", instance.code)
        instance.set_target(kind, object_id)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            errors = {("object_id" if key in TARGET_FIELDS.values() else key): value
                      for key, value in exc.message_dict.items()}
            raise ValidationError(errors) from None
        attrs.update({
            "kind": kind,
            **{f"{field}_id": getattr(instance, f"{field}_id") for field in TARGET_FIELDS.values()},
        })
        return attrs


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("interface", int, description="Only this interface's codes."),
        OpenApiParameter("kind", str, enum=[k.value for k in Kind], description="Only this kind."),
    ])
)
class CorrespondenceViewSet(viewsets.ModelViewSet):
    """Ticketnet codes of the catalogue objects, per interface."""

    serializer_class = CorrespondenceSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Correspondence.objects.none()
        qs = scope_queryset(
            Correspondence.objects.select_related(
                "interface", "event", "performance__event", "configuration__hall", "zone",
                "category", "tariff",
            ).order_by("interface_id", "kind", "code", "pk"),
            self.request.user,
        )
        interface = self.request.query_params.get("interface")
        if interface:
            if not interface.isdigit():
                raise ValidationError({"interface": ["Give the interface's id (a number)."]})
            qs = qs.filter(interface_id=int(interface))
        kind = self.request.query_params.get("kind")
        if kind:
            if kind not in TARGET_FIELDS:
                raise ValidationError({"kind": [f"Use one of {', '.join(TARGET_FIELDS)}."]})
            qs = qs.filter(kind=kind)
        return qs

    def perform_destroy(self, instance):
        if correspondence_is_locked(correspondence=instance):
            raise ValidationError({"code": [str(LOCKED_REASON)]})
        super().perform_destroy(instance)
