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


def allow_empty_query_values(result, generator, request, public):
    """Postprocessing hook: optional query parameters admit an empty value, which means "not set".

    Filters work as HTML forms send them (`?status=&unit=`), so the contract says so.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
