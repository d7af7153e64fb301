from drf_spectacular.openapi import AutoSchema as BaseAutoSchema


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's AutoSchema, with `{id}` path parameters documented as integers.

    The views route any path segment (`lookups.PlausibleIdMixin`) so that a malformed id gets the
    API's JSON 404 rather than Django's HTML page; the contract is still an integer id.
    """

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "id":
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
