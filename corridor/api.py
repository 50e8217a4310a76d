"""The JSON API for integrations: token authentication, the same access rules as the pages."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Corridor API",
    version="1",
    description="Identification, protection and referral of victims of trafficking.",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
