from drf_spectacular.extensions import OpenApiAuthenticationExtension


class StaffSessionScheme(OpenApiAuthenticationExtension):
    target_class = "verification.authentication.StaffSessionAuthentication"
    name = "staffSessionAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The Django admin session of a staff member (document downloads only).",
        }
