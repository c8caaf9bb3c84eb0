"""The HTTP API (`/api/v1`): the app, the request pipeline, routes by resource, the request and
answer models, problems and the OpenAPI document."""
