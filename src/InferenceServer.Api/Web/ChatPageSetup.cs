using Microsoft.Extensions.FileProviders;

namespace InferenceServer.Api.Web;

/// <summary>
/// The chat page: plain HTML/CSS/JS from <c>wwwroot</c> next to the binary, served at <c>/</c> with no build step,
/// no CDN and no third-party code. The files need no API key (the page asks for one and sends it with its API
/// calls); a Content-Security-Policy keeps the page to this origin.
/// </summary>
public static class ChatPageSetup
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

    public static IApplicationBuilder UseChatPage(this IApplicationBuilder app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!Directory.Exists(root))
        {
            return app;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.CacheControl = "no-cache";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
            },
        });
        return app;
    }
}
