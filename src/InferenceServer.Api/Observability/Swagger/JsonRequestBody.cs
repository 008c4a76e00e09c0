namespace InferenceServer.Api.Observability.Swagger;

/// <summary>
/// Endpoint metadata naming the JSON request body type of a handler that reads the body itself. Unlike
/// <c>Accepts&lt;T&gt;</c> it adds no content-type constraint to routing (which would answer 415 before the handler
/// could answer the OpenAI-shaped 400); only <see cref="JsonRequestBodyFilter"/> reads it, for the OpenAPI document.
/// </summary>
public sealed record JsonRequestBody(Type Type);
