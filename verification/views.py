from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.views import APIView

from accounts.authentication import SanctionAwareJWTAuthentication
from config.errors import Forbidden, UnsupportedMediaType, ValidationFailed
from config.pagination import PageQuerySerializer, paginate
from config.parsers import SafeJSONParser
from config.responses import v1_response
from config.schema import error_responses
from verification import selectors, serializers, services
from verification.authentication import StaffSessionAuthentication
from verification.errors import (
    AlreadyReviewed,
    AlreadySubmitted,
    DocumentNotFound,
    DocumentTooLarge,
    InvalidDocument,
    VerificationNotFound,
)
from verification.permissions import IsStaff
from verification.uploads import DocumentLimitsUploadHandler, refuse_oversized_request


class DocumentUploadApi(APIView):
    parser_classes = [MultiPartParser]
    throttle_scope = "verification_upload"

    @extend_schema(
        request={"multipart/form-data": serializers.UploadInputSerializer},
        responses={
            201: serializers.UploadOutputSerializer,
            **error_responses(InvalidDocument, ValidationFailed, DocumentTooLarge, UnsupportedMediaType),
        },
    )
    def post(self, request):
        refuse_oversized_request(request)
        # Must be in place before anything touches request.data / request.FILES.
        django_request = request._request
        django_request.upload_handlers = [DocumentLimitsUploadHandler(django_request), *django_request.upload_handlers]
        documents = services.documents_upload(owner=request.user, files=request.FILES.getlist("files"))
        urls = [serializers.document_url(document.document_id, request) for document in documents]
        return v1_response(
            {"uploaded_files": urls, "count": len(urls)}, message=_("Your documents have been uploaded."), status=201
        )


class _FirstRenderer(BaseContentNegotiation):
    """Files are served whatever the Accept header says (an ``<img>`` asks for ``image/*``)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DocumentDownloadApi(APIView):
    """Serves a document to its owner (Bearer token) and to staff (Bearer token or admin session)."""

    authentication_classes = [SanctionAwareJWTAuthentication, StaffSessionAuthentication]
    content_negotiation_class = _FirstRenderer

    @extend_schema(
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The document (owner or staff)."),
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **error_responses(DocumentNotFound),
        },
    )
    def get(self, request, document_id):
        document = selectors.document_for_viewer(viewer=request.user, document_id=document_id)
        if document is None:
            raise DocumentNotFound()
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise DocumentNotFound() from None
        response = FileResponse(
            handle,
            content_type=document.content_type,
            # Images show inline (the admin's preview); a PDF is always downloaded, never rendered here.
            as_attachment=not document.is_image,
            filename=f"{document.document_id}.{document.extension}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class VerificationSubmitApi(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(
        request=serializers.SubmitInputSerializer,
        responses={201: serializers.SubmitOutputSerializer, **error_responses(AlreadySubmitted, InvalidDocument)},
    )
    def post(self, request):
        data = serializers.SubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        document_urls = fields.pop("documents")
        verification = services.verification_submit(
            user=request.user, data=services.VerificationInput(**fields), document_urls=document_urls
        )
        message = _(
            "Your verification request has been submitted. "
            "You will be notified of the result after an administrator reviews it."
        )
        body = serializers.SubmitOutputSerializer(
            {
                "verification_id": verification.verification_id,
                "status": verification.status,
                "submitted_at": verification.submitted_at,
                "message": message,
            }
        ).data
        return v1_response(body, status=201)


class VerificationStatusApi(APIView):
    @extend_schema(responses={200: serializers.StatusOutputSerializer})
    def get(self, request):
        verification = selectors.latest_verification(request.user)
        if verification is None:
            return v1_response(serializers.StatusOutputSerializer.empty())
        return v1_response(serializers.StatusOutputSerializer(verification, context={"request": request}).data)


class VerificationSettingsApi(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(
        request=serializers.SettingsInputSerializer,
        responses={200: serializers.SettingsOutputSerializer, **error_responses(VerificationNotFound)},
    )
    def patch(self, request):
        data = serializers.SettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verification = services.verification_settings_update(user=request.user, **data.validated_data)
        return v1_response(
            {
                "badge_visible": verification.badge_visible,
                "department_visible": verification.department_visible,
                "message": _("Your settings have been changed."),
            }
        )


class AdminPendingVerificationsApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[PageQuerySerializer],
        responses={200: serializers.PendingListSerializer, **error_responses(Forbidden)},
    )
    def get(self, request):
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = paginate(selectors.pending_verifications(), **query.validated_data)
        body = serializers.PendingListSerializer(
            {"verifications": page.items, **page.meta()}, context={"request": request}
        ).data
        return v1_response(body)


class AdminVerificationReviewApi(APIView):
    permission_classes = [IsStaff]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        request=serializers.ReviewInputSerializer,
        responses={
            200: serializers.ReviewOutputSerializer,
            **error_responses(AlreadyReviewed, Forbidden, VerificationNotFound),
        },
    )
    def post(self, request, verification_id):
        data = serializers.ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verification = services.verification_review(
            reviewer=request.user, verification_id=verification_id, **data.validated_data
        )
        approved = data.validated_data["approved"]
        message = _("The verification has been approved.") if approved else _("The verification has been rejected.")
        body = serializers.ReviewOutputSerializer(
            {
                "verification_id": verification.verification_id,
                "status": verification.status,
                "verified_at": verification.verified_at,
                "message": message,
            }
        ).data
        return v1_response(body)
